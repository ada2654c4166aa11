package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.model.io.Npy;
import io.rnnstream.model.testing.TestTensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code rnnstream predict} reproduces every conformance case from its Keras file, as a user runs
 * it: Keras's output shape and values within the case's tolerance, and for the oracle cases the
 * per-step outputs of {@code --sequences}.
 */
class PredictConformanceTest {
    /** The fixtures live with the model module's tests (copied there from the shared conformance set). */
    static final Path CASES = Path.of("..", "model", "src", "test", "resources", "conformance", "cases");

    @TempDir
    Path tmp;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(CASES)) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(14, names.size(), "all conformance cases are here");
            return names.stream();
        }
    }

    private static int predict(String... args) {
        CommandLine cl = Rnnstream.commandLine();
        StringWriter sink = new StringWriter();
        cl.setOut(new PrintWriter(sink));
        cl.setErr(new PrintWriter(sink));
        return cl.execute(args);
    }

    static void assertClose(Npy.NpyArray expected, Npy.NpyArray got, double tolerance, String what) {
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        TestTensors.assertClose(expected.data(), got.data(), tolerance, what);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void predictReproducesTheCase(String name) throws Exception {
        Path dir = CASES.resolve(name);
        JsonNode c = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        double tol = c.get("tolerance").asDouble();
        Path y = tmp.resolve("y.npy");
        assertEquals(0, predict("predict", dir.resolve("model.h5").toString(), "--input",
                dir.resolve("input.npy").toString(), "--output", y.toString()));
        assertClose(Npy.read(dir.resolve("expected.npy")), Npy.read(y), tol, name);
        if (Files.exists(dir.resolve("expected_sequences.npy"))) {
            Path ys = tmp.resolve("ys.npy");
            assertEquals(0, predict("predict", dir.resolve("model.h5").toString(), "--input",
                    dir.resolve("input.npy").toString(), "--output", ys.toString(), "--sequences"));
            assertClose(Npy.read(dir.resolve("expected_sequences.npy")), Npy.read(ys), tol, name + " --sequences");
        }
    }
}
