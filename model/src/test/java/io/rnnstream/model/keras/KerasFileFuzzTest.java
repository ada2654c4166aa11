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
 * The Keras HDF5 reader against any bytes in a {@code .h5} file: a model or a one-line
 * {@link ModelException}. The seed corpus ({@code KerasFileFuzzTestInputs/}: small Keras 2 files of
 * the conformance cases) runs in every build; {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class KerasFileFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("rnnstream-fuzz", ".h5");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyH5BytesAreAModelOrAOneLineRefusal(byte[] bytes) throws IOException {
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
