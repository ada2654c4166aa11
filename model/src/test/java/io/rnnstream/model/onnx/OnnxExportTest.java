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
