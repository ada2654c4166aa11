package io.rnnstream.model.keras;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Keras 3 reader against any bytes in a {@code .keras} file (a zip of config.json, metadata.json and
 * model.weights.h5): a model or a one-line {@link ModelException}. The seeds
 * ({@code KerasArchiveFuzzTestInputs/}) hold their entries stored, not deflated, so that mutations reach
 * the JSON and HDF5 inside; they run in every build, {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class KerasArchiveFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("rnnstream-fuzz", ".keras");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyKerasArchiveBytesAreAModelOrAOneLineRefusal(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        try {
            Model m = KerasImport.load(FILE);
            assertNotNull(m.id());
        } catch (ModelException e) {
            assertFalse(e.getMessage() == null || e.getMessage().contains("\n"), "a refusal is one line: "
                    + e.getMessage());
        }
    }
}
