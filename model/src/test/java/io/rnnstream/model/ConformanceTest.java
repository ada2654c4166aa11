package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.model.io.Npy;
import io.rnnstream.model.keras.KerasImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "Same numbers as Keras": every case under {@code conformance/cases} imported from its Keras
 * {@code model.h5} and run through {@link Forward} reproduces the recorded outputs.
 */
class ConformanceTest {
    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(Fixtures.conformance("cases"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void predictMatchesKeras(String name) throws IOException {
        Path dir = Fixtures.conformance("cases/" + name);
        JsonNode caseJson = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        double tolerance = caseJson.get("tolerance").asDouble();
        Model model = KerasImport.load(dir.resolve("model.h5"));
        Npy.NpyArray input = Npy.read(dir.resolve("input.npy"));
        Npy.NpyArray expected = Npy.read(dir.resolve("expected.npy"));
        float[][][] seqs = Fixtures.sequences(input);
        assertEquals(input.shape()[2], model.inputSize(), "input features");
        assertEquals(expected.shape()[0], seqs.length);
        // calls: 2 — input.npy already holds the sequence twice; one pass with the state carried
        // through is exactly a stateful layer called twice.
        for (int i = 0; i < seqs.length; i++) {
            float[][] got = Forward.predict(model, seqs[i]);
            float[][] want = Fixtures.item(expected, i);
            double err = Forward.maxAbsDiff(got, want);
            assertTrue(err <= tolerance, name + " sequence " + i + ": max abs error " + err + " > " + tolerance);
        }
        if (caseJson.has("expected_param_count")) {
            assertEquals(caseJson.get("expected_param_count").asLong(), model.paramCount(), "param count");
        }
        Path seqFile = dir.resolve("expected_sequences.npy");
        if (Files.exists(seqFile)) {
            Npy.NpyArray expectedSeq = Npy.read(seqFile);
            for (int i = 0; i < seqs.length; i++) {
                double err = Forward.maxAbsDiff(Forward.sequences(model, seqs[i]), Fixtures.item(expectedSeq, i));
                assertTrue(err <= tolerance, name + " per-step outputs of sequence " + i + ": max abs error " + err);
            }
        }
    }
}
