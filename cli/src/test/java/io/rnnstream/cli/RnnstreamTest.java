package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.io.Npy;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.testing.TestTensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RnnstreamTest {
    @TempDir
    Path dir;

    Path mnist;
    Model mnistModel;

    record Run(int rc, String out, String err) {}

    static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    /** As main runs it. */
    static Run run(String... args) {
        return run(Rnnstream.commandLine(), args);
    }

    static Tensor rand(Random r, int... shape) {
        return TestTensors.gaussian(r, 0.2, shape);
    }

    /** SimpleRNN(128) on (28, 28) + Dense(10, softmax), random weights. */
    static Model mnistModel() {
        Random r = new Random(11);
        return new Model(new ModelInfo("mnist-simplernn", 1, List.of(), "test"), 28, List.of(
                new SimpleRnn("simple_rnn", 28, 128, Activation.TANH, true, false, false, rand(r, 28, 128),
                        rand(r, 128, 128), rand(r, 128)),
                new Dense("dense", 128, 10, Activation.SOFTMAX, true, rand(r, 128, 10), rand(r, 10))));
    }

    static float[] randomInput(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @BeforeEach
    void writeModel() {
        mnistModel = mnistModel();
        mnist = dir.resolve("mnist.rnns");
        ModelFile.write(mnistModel, mnist);
    }

    /** Exactly one line on stderr, starting "error: ", no stack trace. */
    static String oneErrorLine(Run r) {
        String[] lines = r.err().split("\\R");
        assertEquals(1, lines.length, "one line on stderr:\n" + r.err());
        assertTrue(lines[0].startsWith("error: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        return lines[0];
    }

    // ------------------------------------------------------------------------------------ summary

    @Test
    void summaryPrintsKerasCounts() {
        Run r = run("summary", mnist.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("20,096"), r.out());
        assertTrue(r.out().contains("1,290"), r.out());
        assertTrue(r.out().contains("Total params: 21,386"), r.out());
        assertTrue(r.out().contains(mnistModel.id()), r.out());
        assertEquals("", r.err());
    }

    @Test
    void summaryExplainAndAscii() {
        Run r = run("summary", mnist.toString(), "--explain", "--ascii");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("128 x (28 + 128 + 1) = 20,096"), r.out());
        assertTrue(r.out().contains("10 x (128 + 1) = 1,290"), r.out());
        assertTrue(r.out().contains("| simple_rnn (SimpleRNN)"), r.out());
    }

    @Test
    void summaryWithThePlainConstructor() {
        Run r = run(new CommandLine(new Rnnstream()), "summary", mnist.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("21,386"), r.out());
        Run e = run(new CommandLine(new Rnnstream()), "summary", dir.resolve("missing.rnns").toString());
        assertEquals(1, e.rc());
        assertTrue(oneErrorLine(e).contains("not found"));
    }

    // ------------------------------------------------------------------------------------ predict

    @Test
    void predictEqualsForwardPredict() {
        int n = 5;
        float[] x = randomInput(3, n * 28 * 28);
        Path in = dir.resolve("x.npy");
        Path out = dir.resolve("sub/y.npy");
        Npy.write(in, new int[] {n, 28, 28}, x);
        Run r = run("predict", mnist.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.rc(), r.err());
        Npy.NpyArray y = Npy.read(out);
        assertArrayEquals(new int[] {n, 10}, y.shape());
        for (int i = 0; i < n; i++) {
            float[][] seq = new float[28][];
            for (int t = 0; t < 28; t++) {
                seq[t] = Arrays.copyOfRange(x, (i * 28 + t) * 28, (i * 28 + t + 1) * 28);
            }
            float[] expected = Forward.predict(mnistModel, seq)[0];
            assertArrayEquals(expected, Arrays.copyOfRange(y.data(), i * 10, (i + 1) * 10), "sequence " + i);
        }
    }

    @Test
    void predictSequencesGivesEveryStep() {
        int n = 3;
        int t = 7; // another length than the model was built for: a causal model takes any
        float[] x = randomInput(4, n * t * 28);
        Path in = dir.resolve("x.npy");
        Path out = dir.resolve("y.npy");
        Npy.write(in, new int[] {n, t, 28}, x);
        Run r = run("predict", mnist.toString(), "--input", in.toString(), "--output", out.toString(),
                "--sequences");
        assertEquals(0, r.rc(), r.err());
        Npy.NpyArray y = Npy.read(out);
        assertArrayEquals(new int[] {n, t, 10}, y.shape());
        for (int i = 0; i < n; i++) {
            float[][] seq = new float[t][];
            for (int s = 0; s < t; s++) {
                seq[s] = Arrays.copyOfRange(x, (i * t + s) * 28, (i * t + s + 1) * 28);
            }
            float[][] expected = Forward.sequences(mnistModel, seq);
            for (int s = 0; s < t; s++) {
                assertArrayEquals(expected[s], Arrays.copyOfRange(y.data(), (i * t + s) * 10, (i * t + s + 1) * 10));
            }
        }
    }

    @Test
    void predictOfASequenceModelIsNTK() {
        Random r = new Random(5);
        Model m = new Model(new ModelInfo("seq", 1, List.of(), "test"), -1, List.of(
                new Lstm("lstm", 4, 6, Activation.TANH, Activation.SIGMOID, true, true, false, rand(r, 4, 24),
                        rand(r, 6, 24), rand(r, 24)),
                new Dense("dense", 6, 3, Activation.LINEAR, true, rand(r, 6, 3), rand(r, 3))));
        Path model = dir.resolve("seq.rnns");
        ModelFile.write(m, model);
        Path in = dir.resolve("x.npy");
        Npy.write(in, new int[] {2, 5, 4}, randomInput(6, 40));
        Path out = dir.resolve("y.npy");
        Run run = run("predict", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, run.rc(), run.err());
        assertArrayEquals(new int[] {2, 5, 3}, Npy.read(out).shape());
    }

    @Test
    void wrongFeatureCount() {
        Path in = dir.resolve("x.npy");
        Npy.write(in, new int[] {2, 28, 27}, new float[2 * 28 * 27]);
        Run r = run("predict", mnist.toString(), "--input", in.toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(1, r.rc());
        assertEquals("error: input has D=27 features per step but the model expects 28", oneErrorLine(r));
        assertFalse(Files.exists(dir.resolve("y.npy")));
    }

    @Test
    void nanAndInfSayWhere() {
        Path in = dir.resolve("x.npy");
        float[] x = randomInput(1, 3 * 28 * 28);
        x[(2 * 28 + 5) * 28 + 7] = Float.NaN;
        Npy.write(in, new int[] {3, 28, 28}, x);
        Run r = run("predict", mnist.toString(), "--input", in.toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("NaN at sequence 2, step 5, feature 7"), r.err());
        x[(2 * 28 + 5) * 28 + 7] = 0;
        x[(1 * 28 + 27) * 28] = Float.NEGATIVE_INFINITY;
        Npy.write(in, new int[] {3, 28, 28}, x);
        r = run("predict", mnist.toString(), "--input", in.toString(), "--output", dir.resolve("y.npy").toString());
        assertTrue(oneErrorLine(r).contains("Inf at sequence 1, step 27, feature 0"), r.err());
    }

    @Test
    void wrongRank() {
        Path in = dir.resolve("x.npy");
        Npy.write(in, new int[] {28, 28}, new float[28 * 28]);
        Run r = run("predict", mnist.toString(), "--input", in.toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("has shape (28, 28) but predict needs (N, T, D)"), r.err());
    }

    @Test
    void missingInputFile() {
        Run r = run("predict", mnist.toString(), "--input", dir.resolve("none.npy").toString(), "--output",
                dir.resolve("y.npy").toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("not found"), r.err());
    }

    // ------------------------------------------------------------------------------------ bad model files

    @Test
    void missingModelFile() {
        Run r = run("summary", dir.resolve("nope.rnns").toString());
        assertEquals(1, r.rc());
        assertEquals("error: model file not found: " + dir.resolve("nope.rnns"), oneErrorLine(r));
    }

    @Test
    void truncatedModelFile() throws Exception {
        byte[] b = Files.readAllBytes(mnist);
        Path cut = dir.resolve("cut.rnns");
        Files.write(cut, Arrays.copyOf(b, b.length / 3));
        Run r = run("summary", cut.toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("is truncated"), r.err());
    }

    @Test
    void corruptedModelFile() throws Exception {
        byte[] b = Files.readAllBytes(mnist);
        b[b.length - 500] ^= 0x10;
        Path bad = dir.resolve("bad.rnns");
        Files.write(bad, b);
        Run r = run("predict", bad.toString(), "--input", "x.npy", "--output", "y.npy");
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("the file is corrupted or was edited: checksum"), r.err());
    }

    @Test
    void unknownLayerType() throws Exception {
        byte[] b = Files.readAllBytes(mnist);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int h = bb.getInt(12);
        String header = new String(b, 16, h, StandardCharsets.UTF_8).replace("\"SimpleRNN\"", "\"ConvLSTM2D\"");
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer o = ByteBuffer.allocate(b.length - h + hb.length).order(ByteOrder.LITTLE_ENDIAN);
        o.put(b, 0, 12).putInt(hb.length).put(hb).put(b, 16 + h, b.length - 16 - h - 32);
        byte[] ob = o.array();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(ob, 0, ob.length - 32);
        System.arraycopy(md.digest(), 0, ob, ob.length - 32, 32);
        Path p = dir.resolve("conv.rnns");
        Files.write(p, ob);
        Run r = run("summary", p.toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("unknown layer type 'ConvLSTM2D'"), r.err());
    }

    @Test
    void aTextFileIsNotAModel() throws Exception {
        Path p = dir.resolve("notes.rnns");
        Files.writeString(p, "hello");
        Run r = run("summary", p.toString());
        assertEquals(1, r.rc());
        oneErrorLine(r);
    }

    // ------------------------------------------------------------------------------------ convert

    @Test
    void convertSetsNameVersionAndClasses() {
        Path out = dir.resolve("out/digits.rnns");
        Run r = run("convert", mnist.toString(), "--out", out.toString(), "--name", "digits", "--version", "4",
                "--class-names", "0,1,2,3,4,5,6,7,8,9");
        assertEquals(0, r.rc(), r.err());
        Model m = ModelFile.read(out);
        assertEquals("digits", m.info().name());
        assertEquals(4, m.info().version());
        assertEquals(10, m.info().classNames().size());
        assertTrue(r.out().contains(m.id()), r.out());
        Run bad = run("convert", mnist.toString(), "--out", out.toString(), "--class-names", "a,b,c");
        assertEquals(1, bad.rc());
        assertTrue(oneErrorLine(bad).contains("3 class names given but the model has 10 outputs"), bad.err());
    }

    // ------------------------------------------------------------------------------------ usage

    @Test
    void usageErrorsAreOneLineAndExit2() {
        Run r = run("predict", mnist.toString(), "--output", "y.npy");
        assertEquals(2, r.rc());
        assertTrue(oneErrorLine(r).contains("--input"), r.err());
        r = run("frobnicate");
        assertEquals(2, r.rc());
        oneErrorLine(r);
        r = run();
        assertEquals(2, r.rc());
        assertTrue(oneErrorLine(r).contains("missing a command"), r.err());
        r = run("convert", mnist.toString(), "--out", "x.rnns", "--version", "two");
        assertEquals(2, r.rc());
        oneErrorLine(r);
    }

    @Test
    void helpOnEveryCommandAndVersion() {
        for (String c : new String[] {"summary", "predict", "convert", "demo"}) {
            Run r = run(c, "--help");
            assertEquals(0, r.rc(), c);
            assertTrue(r.out().startsWith("Usage: rnnstream " + c), r.out());
        }
        Run top = run("--help");
        assertEquals(0, top.rc());
        for (String c : new String[] {"summary", "predict", "convert", "demo"}) {
            assertTrue(top.out().contains(c), top.out());
        }
        Run v = run("--version");
        assertEquals(0, v.rc());
        assertTrue(v.out().startsWith("rnnstream 0.1.0"), v.out());
    }

    @Test
    void demoWithoutItsModelSaysWhatToDo() {
        Run r = run("demo", "--model", dir.resolve("no-such-model.rnns").toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("run 'rnnstream demo --train'"), r.err());
    }

    @Test
    void submitFromLatestCheckpointRefusesClearly() throws Exception {
        // Checked before any cluster is contacted: the REST address is never reached.
        String[] job = {"--", "--model", mnist.toString()};
        Run r = run(concat(new String[] {"submit", "--rest", "http://127.0.0.1:1", "--from-latest-checkpoint",
                dir.resolve("no-such-dir").toString()}, job));
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("no checkpoint directory"), r.err());
        Files.createDirectories(dir.resolve("checkpoints"));
        r = run(concat(new String[] {"submit", "--rest", "http://127.0.0.1:1", "--savepoint", "file:/x",
                "--from-latest-checkpoint", dir.resolve("checkpoints").toString()}, job));
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("give one"), r.err());
        r = run(concat(new String[] {"submit", "--rest", "http://127.0.0.1:1", "--from-latest-checkpoint",
                dir.resolve("checkpoints").toString()}, job));
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("no completed checkpoint"), r.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
