package io.rnnstream.job;

import static io.rnnstream.model.testing.TestTensors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.FileConnectors;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "Same numbers as Keras", streamed: every conformance case that can run causally, run through the
 * whole job (file in, parse, order, step, head, file out) on a MiniCluster at parallelism 2, its
 * sequences as many interleaved keys arriving out of order. Every per-step output equals
 * {@link Forward#sequences} bit for bit, and Keras's recorded outputs within the case's tolerance.
 * The PyTorch models of {@code onnx-cases}, loaded from their {@code model.onnx}, stream the same
 * way to PyTorch's outputs.
 */
class StreamingConformanceTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The model module's fixtures (see its conformance README), read in place: tests run in job/. */
    static final Path CONFORMANCE = Path.of("../model/src/test/resources/conformance");
    static final Path CASES = CONFORMANCE.resolve("cases");
    static final Path ONNX_CASES = CONFORMANCE.resolve("onnx-cases");
    /** The ONNX case a stream must refuse: a bidirectional layer reads the future. */
    static final String BIDIRECTIONAL = "refuse-bidirectional";
    /** The one case a stream must refuse: a go_backwards layer reads its sequence from the end. */
    static final String BACKWARDS = "kerasjs-SimpleRNN-3";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TempDir
    Path tmp;

    /** "cases/NAME" (Keras, model.h5) and "onnx-cases/NAME" (PyTorch, model.onnx). */
    static Stream<String> causalCases() throws IOException {
        List<String> names = new ArrayList<>();
        for (Path set : List.of(CASES, ONNX_CASES)) {
            try (Stream<Path> s = Files.list(set)) {
                s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals(BACKWARDS) && !n.equals(BIDIRECTIONAL)).sorted()
                        .forEach(n -> names.add(set.getFileName() + "/" + n));
            }
        }
        assertTrue(names.size() >= 23, "conformance cases not found under " + CONFORMANCE.toAbsolutePath());
        return names.stream();
    }

    /** (N, T, D) → N × T × D; (N, K) → N × 1 × K. */
    static float[][][] split(Npy.NpyArray a) {
        int[] s = a.shape();
        int n = s[0];
        int rows = s.length == 3 ? s[1] : 1;
        int cols = s[s.length - 1];
        float[][][] out = new float[n][rows][cols];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(a.data(), (i * rows + r) * cols, out[i][r], 0, cols);
            }
        }
        return out;
    }

    private static float[] floats(JsonNode arr) {
        float[] v = new float[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(arr.get(i).decimalValue().toString());
        }
        return v;
    }

    /**
     * Every sequence twice: once under a key whose events carry {@code step} (the step stage orders
     * them), once under a key whose events carry only {@code ts} (the order stage orders them by event
     * time). Keys interleave at random, ts rises along the true order, and each key's steps 2j and 2j+1
     * swap places on the way in. Returns the lines; {@code lag} gets the largest lateness there is.
     */
    static List<String> events(String name, float[][][] seqs, long[] lag) {
        Random rnd = new Random(name.hashCode());
        List<String> keys = new ArrayList<>();
        Map<String, float[][]> byKey = new HashMap<>();
        for (int i = 0; i < seqs.length; i++) {
            for (String mode : new String[] {"step", "ts"}) {
                String key = name + "/" + i + "/" + mode;
                keys.add(key);
                byKey.put(key, seqs[i]);
            }
        }
        List<Event> truth = new ArrayList<>();
        Map<String, Integer> next = new HashMap<>();
        long ts = 1_700_000_000_000L;
        int total = keys.size() * seqs[0].length;
        while (truth.size() < total) {
            String key = keys.get(rnd.nextInt(keys.size()));
            float[][] x = byKey.get(key);
            int s = next.getOrDefault(key, 0);
            if (s < x.length) {
                next.put(key, s + 1);
                int step = key.endsWith("/step") ? s : Event.NO_STEP;
                truth.add(new Event(key, step, ts++, x[s], s == x.length - 1));
            }
        }
        List<Event> arrival = new ArrayList<>(truth);
        Map<String, Integer> pending = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < arrival.size(); i++) {
            String key = arrival.get(i).key;
            if (seen.merge(key, 1, Integer::sum) % 2 == 1) {
                pending.put(key, i);
            } else {
                int j = pending.remove(key);
                Event a = arrival.get(j);
                arrival.set(j, arrival.get(i));
                arrival.set(i, a);
            }
        }
        long max = Long.MIN_VALUE;
        List<String> lines = new ArrayList<>();
        for (Event e : arrival) {
            max = Math.max(max, e.ts);
            lag[0] = Math.max(lag[0], max - e.ts);
            lines.add(RecordJson.event(e));
        }
        return lines;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("causalCases")
    void streamedStepsMatchForwardAndKeras(String name) throws Exception {
        Path dir = CONFORMANCE.resolve(name);
        JsonNode caseJson = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        double tolerance = caseJson.get("tolerance").asDouble();
        Path modelFile = dir.resolve(name.startsWith("onnx-cases/") ? "model.onnx" : "model.h5").toAbsolutePath();
        Model model = ModelLoader.load(modelFile);
        float[][][] seqs = split(Npy.read(dir.resolve("input.npy")));
        float[][][] expected = split(Npy.read(dir.resolve("expected.npy")));
        boolean returnSequences = expected[0].length > 1;
        Path seqFile = dir.resolve("expected_sequences.npy");
        float[][][] expectedSteps = Files.exists(seqFile) ? split(Npy.read(seqFile)) : null;
        int t = seqs[0].length;

        long[] lag = {0};
        List<String> lines = events(name.replace('/', ':'), seqs, lag);
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        Path outDir = tmp.resolve("out");
        Path dlqDir = tmp.resolve("dlq");
        StreamExecutionEnvironment env = PipelineTest.env(false);
        // The watermark may not move while so small an input is read, so every held event of a key
        // may wait for the final one: the bound must hold a whole sequence.
        StreamOptions opts = StreamOptions.defaults().maxOutOfOrderness(Duration.ofMillis(lag[0] + 1))
                .maxBufferedSteps(t);
        TestPipelines.files(env, in, outDir, dlqDir, Pipeline.builder().model(ModelProvider.file(modelFile))
                .modelId("conformance@1-000000000000").options(opts));
        env.execute(name);

        assertEquals(List.of(), FileConnectors.readCommittedLines(dlqDir), name + ": dead letters");
        List<String> out = FileConnectors.readCommittedLines(outDir);
        assertEquals(lines.size(), out.size(), name + ": one output per event");
        Map<String, Integer> nextStep = new HashMap<>();
        Map<Integer, float[][]> forward = new HashMap<>();
        for (String line : out) {
            JsonNode n = JSON.readTree(line);
            String key = n.get("key").asText();
            int step = n.get("step").asInt();
            String what = key + " step " + step;
            assertEquals((int) nextStep.getOrDefault(key, 0), step, what + ": in step order");
            nextStep.put(key, step + 1);
            assertEquals(step == t - 1, n.get("final").asBoolean(), what);
            int i = Integer.parseInt(key.split("/")[1]);
            float[] got = floats(n.get("output"));
            float[] want = forward.computeIfAbsent(i, k -> Forward.sequences(model, seqs[k]))[step];
            assertEquals(want.length, got.length, what);
            for (int u = 0; u < want.length; u++) {
                assertEquals(Float.floatToRawIntBits(want[u]), Float.floatToRawIntBits(got[u]),
                        what + " [" + u + "]: Forward " + want[u] + ", stream " + got[u]);
            }
            float[] keras = returnSequences ? expected[i][step] : step == t - 1 ? expected[i][0] : null;
            if (keras != null) {
                assertClose(keras, got, tolerance, what + " vs Keras");
            }
            if (expectedSteps != null) {
                assertClose(expectedSteps[i][step], got, tolerance, what + " vs expected_sequences");
            }
        }
        assertEquals(2 * seqs.length, nextStep.size(), name + ": keys");
        nextStep.values().forEach(n -> assertEquals(t, n, name + ": steps per key"));
    }

    /** Builds the job on {@code modelFile} and returns why it was refused. */
    private ModelException refusedWhenTheJobIsBuilt(Path modelFile) throws IOException {
        StreamExecutionEnvironment env = PipelineTest.env(false);
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, List.of());
        return assertThrows(ModelException.class, () -> TestPipelines.files(env, in,
                tmp.resolve("out"), tmp.resolve("dlq"), Pipeline.builder()
                        .model(ModelProvider.file(modelFile.toAbsolutePath())).modelId("x@1-000000000000")));
    }

    @Test
    void aGoBackwardsModelIsRefusedWhenTheJobIsBuilt() throws Exception {
        ModelException e = refusedWhenTheJobIsBuilt(CASES.resolve(BACKWARDS).resolve("model.h5"));
        assertTrue(e.getMessage().startsWith("this model cannot run on a stream, one event at a time: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("go_backwards=True"), e.getMessage());
        assertTrue(e.getMessage().contains("Use `predict`"), e.getMessage());
    }

    @Test
    void aBidirectionalOnnxModelIsRefusedWhenTheJobIsBuilt() throws Exception {
        ModelException e = refusedWhenTheJobIsBuilt(ONNX_CASES.resolve(BIDIRECTIONAL).resolve("model.onnx"));
        assertTrue(e.getMessage().contains("(LSTM): direction=bidirectional reads the future"), e.getMessage());
    }
}
