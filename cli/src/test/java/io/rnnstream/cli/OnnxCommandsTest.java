package io.rnnstream.cli;

import static io.rnnstream.cli.PredictConformanceTest.assertClose;
import static io.rnnstream.cli.RnnstreamTest.oneErrorLine;
import static io.rnnstream.cli.RnnstreamTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.cli.RnnstreamTest.Run;
import io.rnnstream.model.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A PyTorch model's {@code .onnx} wherever MODEL goes: {@code predict [--sequences]} reproduces
 * every ONNX conformance case, {@code summary} counts parameters as PyTorch does, {@code convert}
 * turns it into a native file and back into ONNX with the same outputs.
 */
class OnnxCommandsTest {
    static final Path CASES = Path.of("..", "model", "src", "test", "resources", "conformance", "onnx-cases");

    @TempDir
    Path tmp;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(CASES)) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("refuse-")).sorted().toList();
            assertEquals(10, names.size(), "all ONNX conformance cases are here");
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void predictReproducesPyTorch(String name) throws Exception {
        Path dir = CASES.resolve(name);
        JsonNode c = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        double tol = c.get("tolerance").asDouble();
        String model = dir.resolve("model.onnx").toString();
        String input = dir.resolve("input.npy").toString();
        Path ys = tmp.resolve("ys.npy");
        Run r = run("predict", model, "--input", input, "--output", ys.toString(), "--sequences");
        assertEquals(0, r.rc(), r.err());
        assertClose(Npy.read(dir.resolve("expected_sequences.npy")), Npy.read(ys), tol, name + " --sequences");
        if (c.get("head_sees").asText().equals("last step")) {
            Path y = tmp.resolve("y.npy");
            assertEquals(0, run("predict", model, "--input", input, "--output", y.toString()).rc());
            assertClose(Npy.read(dir.resolve("expected.npy")), Npy.read(y), tol, name);
        }
    }

    @Test
    void convertToNativeAndBackToOnnxKeepsTheOutputs() throws Exception {
        Path dir = CASES.resolve("onnx-gru-lstm-stack");
        Path rnns = tmp.resolve("stack.rnns");
        Run r = run("convert", dir.resolve("model.onnx").toString(), "--out", rnns.toString(), "--name", "stack");
        assertEquals(0, r.rc(), r.err());
        Run s = run("summary", rnns.toString(), "--explain");
        assertEquals(0, s.rc(), s.err());
        assertTrue(s.out().contains("PyTorch params: 3,570"), s.out());
        assertTrue(s.out().contains("How PyTorch's count adds up"), s.out());

        Path onnx = tmp.resolve("out/stack.onnx");
        Run e = run("convert", rnns.toString(), "--out", onnx.toString());
        assertEquals(0, e.rc(), e.err());
        assertTrue(e.out().contains("per-step graph x (batch, time, 9) → y (batch, time, 6)"), e.out());
        String input = dir.resolve("input.npy").toString();
        Path a = tmp.resolve("a.npy");
        Path b = tmp.resolve("b.npy");
        assertEquals(0, run("predict", rnns.toString(), "--input", input, "--output", a.toString(), "--sequences").rc());
        assertEquals(0, run("predict", onnx.toString(), "--input", input, "--output", b.toString(), "--sequences").rc());
        assertArrayEquals(Npy.read(a).data(), Npy.read(b).data(), 0f);
    }

    @Test
    void aBidirectionalModelIsOneErrorLine() {
        Run r = run("summary", CASES.resolve("refuse-bidirectional/model.onnx").toString());
        assertEquals(1, r.rc());
        String line = oneErrorLine(r);
        assertTrue(line.contains("node '/rnns.0/LSTM' (LSTM): direction=bidirectional reads the future"), line);
    }
}
