package io.rnnstream.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.Activation;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.io.Npy;
import io.rnnstream.model.keras.KerasImport;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link OnnxExport}: ONNX Runtime 1.23.2 runs the exported per-step graph of every conformance
 * model (Keras and PyTorch cases alike) to {@code predict --sequences}' numbers, and our importer
 * reads the export back to the same model.
 */
class OnnxExportTest {
    private static OrtEnvironment env;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** Every causal conformance model: "cases/NAME/model.h5" and "onnx-cases/NAME/model.onnx". */
    static Stream<String> models() throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (String set : new String[] {"cases", "onnx-cases"}) {
            try (Stream<Path> s = Files.list(Fixtures.conformance(set))) {
                s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                        .filter(n -> !n.equals("kerasjs-SimpleRNN-3") && !n.equals(OnnxConformanceTest.REFUSED))
                        .forEach(n -> out.add(set + "/" + n));
            }
        }
        return out.stream();
    }

    static Model load(String c) {
        Path dir = Fixtures.conformance(c);
        return c.startsWith("cases/") ? KerasImport.load(dir.resolve("model.h5"))
                : OnnxImport.load(dir.resolve("model.onnx"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void onnxRuntimeReproducesPredictSequences(String c) throws Exception {
        Path dir = Fixtures.conformance(c);
        double tolerance = Math.max(1e-4, new ObjectMapper().readTree(dir.resolve("case.json").toFile())
                .get("tolerance").asDouble());
        Model model = load(c);
        byte[] onnx = OnnxExport.encode(model);
        float[][][] seqs = Fixtures.sequences(Npy.read(dir.resolve("input.npy")));
        float[][][] ort = run(onnx, seqs);
        Model back = OnnxImport.read(onnx, c, "back", "export.onnx");
        assertEquals(model.describe(), back.describe(), "the export reads back to the same layers");
        for (int i = 0; i < seqs.length; i++) {
            float[][] want = Forward.sequences(model, seqs[i]);
            double err = Forward.maxAbsDiff(ort[i], want);
            assertTrue(err <= tolerance, c + " sequence " + i + ": ONNX Runtime differs by " + err);
            assertEquals(0.0, Forward.maxAbsDiff(Forward.sequences(back, seqs[i]), want), c + " re-import " + i);
        }
    }

    /** ONNX Runtime over the whole batch (N, T, D) → (N, T, K). */
    static float[][][] run(byte[] onnx, float[][][] seqs) throws OrtException {
        int n = seqs.length;
        int t = seqs[0].length;
        int d = seqs[0][0].length;
        FloatBuffer x = FloatBuffer.allocate(n * t * d);
        for (float[][] s : seqs) {
            for (float[] row : s) {
                x.put(row);
            }
        }
        x.flip();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                ai.onnxruntime.OnnxTensor in = ai.onnxruntime.OnnxTensor.createTensor(env, x, new long[] {n, t, d});
                OrtSession.Result r = session.run(Map.of("x", in))) {
            return (float[][][]) r.get(0).getValue();
        }
    }

    /** Layers no conformance case has: a Normalization, hard_sigmoid without bias, reset_after=False, relu6. */
    @Test
    void normalizationAndTheRarerSettingsRoundTrip() throws Exception {
        java.util.Random r = new java.util.Random(11);
        int d = 5;
        Model m = new Model(new io.rnnstream.model.ModelInfo("rare", 1, List.of(), "test"), -1, List.of(
                new Normalization("normalization", t(r, 1, d), t(r, 0.2f, d)),
                new Lstm("lstm", d, 6, Activation.TANH, Activation.HARD_SIGMOID, false, true, false,
                        t(r, 1, d, 24), t(r, 1, 6, 24), null),
                new Gru("gru", 6, 4, Activation.TANH, Activation.HARD_SIGMOID_KERAS3, true, false, true, false,
                        t(r, 1, 6, 12), t(r, 1, 4, 12), t(r, 1, 12)),
                new Dense("dense", 4, 3, Activation.RELU6, true, t(r, 1, 4, 3), t(r, 1, 3)),
                new Dense("head", 3, 2, Activation.SIGMOID, false, t(r, 1, 3, 2), null)));
        float[][][] seqs = new float[3][7][d];
        for (float[][] s : seqs) {
            for (float[] row : s) {
                for (int j = 0; j < d; j++) {
                    row[j] = (float) r.nextGaussian();
                }
            }
        }
        byte[] onnx = OnnxExport.encode(m);
        float[][][] ort = run(onnx, seqs);
        Model back = OnnxImport.read(onnx, "rare", "rare", "rare.onnx");
        assertEquals(m.describe(), back.describe());
        for (int i = 0; i < seqs.length; i++) {
            float[][] want = Forward.sequences(m, seqs[i]);
            assertTrue(Forward.maxAbsDiff(ort[i], want) <= 1e-5, "ONNX Runtime " + Forward.maxAbsDiff(ort[i], want));
            assertEquals(0.0, Forward.maxAbsDiff(Forward.sequences(back, seqs[i]), want), "re-import " + i);
        }
    }

    /** Gaussian values times {@code scale}; a positive scale below 1 gives variances (|x| + scale). */
    private static Tensor t(java.util.Random r, float scale, int... shape) {
        int n = 1;
        for (int k : shape) {
            n *= k;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale < 1 ? (float) Math.abs(r.nextGaussian()) + scale : (float) (r.nextGaussian() * 0.4);
        }
        return Tensor.of(v, shape);
    }

    @Test
    void aModelThatCannotStepIsNotExported() {
        Model backwards = KerasImport.load(Fixtures.conformance("cases/kerasjs-SimpleRNN-3/model.h5"));
        ModelException e = assertThrows(ModelException.class, () -> OnnxExport.encode(backwards));
        assertTrue(e.getMessage().contains("per-step graph") && e.getMessage().contains("go_backwards"),
                e.getMessage());
    }

    @Test
    void writesAFileTheLoaderReads() throws IOException {
        Model m = load("onnx-cases/onnx-gru");
        Path out = tmp.resolve("sub/m.onnx");
        OnnxExport.write(m, out);
        assertEquals(m.describe(), io.rnnstream.model.ModelLoader.load(out).describe());
    }
}
