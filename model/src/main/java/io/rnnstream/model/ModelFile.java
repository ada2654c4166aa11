package io.rnnstream.model;

import java.nio.file.Path;

/** STUB — the native model file; to be written. */
public final class ModelFile {
    private ModelFile() {}

    /** True when the file starts with the native format's magic bytes. */
    public static boolean isNative(Path path) {
        throw new UnsupportedOperationException("ModelFile is not written yet");
    }

    public static Model read(Path path) {
        throw new UnsupportedOperationException("ModelFile is not written yet");
    }

    public static void write(Model model, Path path) {
        throw new UnsupportedOperationException("ModelFile is not written yet");
    }

    public static String sha256Hex(Model model) {
        throw new UnsupportedOperationException("ModelFile is not written yet");
    }
}
