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
 * The Keras reader against any bytes: in a {@code .h5} file (seeds: small Keras 2 files of the
 * conformance cases), and in a Keras 3 {@code .keras} archive (seeds: a GRU model's archive with its
 * entries stored, not deflated, so that mutations reach the JSON and HDF5 inside, and the same deflated).
 * Either a model or a one-line {@link ModelException}. The seeds ({@code KerasFileFuzzTestInputs/<method>/})
 * run in every build; {@code JAZZER_FUZZ=1} fuzzes one method at a time (docs/RELIABILITY.md).
 */
class KerasFileFuzzTest {
    private static final Path H5 = tempFile(".h5");
    private static final Path ARCHIVE = tempFile(".keras");

    private static Path tempFile(String suffix) {
        try {
            Path f = Files.createTempFile("rnnstream-fuzz", suffix);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyH5BytesAreAModelOrAOneLineRefusal(byte[] bytes) throws IOException {
        loadsOrRefusesInOneLine(H5, bytes);
    }

    @FuzzTest(maxDuration = "30s")
    void anyKerasArchiveBytesAreAModelOrAOneLineRefusal(byte[] bytes) throws IOException {
        loadsOrRefusesInOneLine(ARCHIVE, bytes);
    }

    private static void loadsOrRefusesInOneLine(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try {
            Model m = KerasImport.load(file);
            assertNotNull(m.id());
        } catch (ModelException e) {
            assertFalse(e.getMessage() == null || e.getMessage().contains("\n"), "a refusal is one line: "
                    + e.getMessage());
        }
    }
}
