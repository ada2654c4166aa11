package io.rnnstream.model.keras;

import io.rnnstream.model.Model;
import java.nio.file.Path;

/** STUB — Keras import; to be written. */
public final class KerasImport {
    private KerasImport() {}

    /** A legacy full-model {@code .h5} or a Keras 3 {@code .keras} archive. */
    public static Model load(Path file) {
        throw new UnsupportedOperationException("KerasImport is not written yet");
    }

    /** The JSON of {@code model.to_json()} plus a weights-only {@code .h5}. */
    public static Model load(Path configJson, Path weightsH5) {
        throw new UnsupportedOperationException("KerasImport is not written yet");
    }
}
