package io.rnnstream.model;

import io.rnnstream.model.keras.KerasImport;
import io.rnnstream.model.onnx.OnnxImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads MODEL wherever a command or the job takes one: the native rnnstream file, a Keras file
 * ({@code .h5}, {@code .keras}, or {@code model.json} with its weights {@code .h5} beside it), or
 * an ONNX file ({@code .onnx}, e.g. from {@code torch.onnx.export}).
 */
public final class ModelLoader {
    private ModelLoader() {}

    public static Model load(Path path) {
        if (!Files.exists(path)) {
            throw new ModelException("model file not found: " + path);
        }
        if (Files.isDirectory(path)) {
            throw new ModelException(path + " is a directory; pass the model file itself");
        }
        if (ModelFile.isNative(path)) {
            return ModelFile.read(path);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (OnnxImport.looksLikeOnnx(path)) {
            return OnnxImport.load(path);
        }
        if (name.endsWith(".json")) {
            Path weights = weightsBeside(path);
            return KerasImport.load(path, weights);
        }
        return KerasImport.load(path);
    }

    /** For {@code model.json}: {@code model.weights.h5}, {@code model.h5} or {@code model_weights.h5}. */
    private static Path weightsBeside(Path json) {
        String stem = json.getFileName().toString().replaceFirst("(?i)\\.json$", "");
        for (String candidate : new String[] {stem + ".weights.h5", stem + ".h5", stem + "_weights.h5"}) {
            Path p = json.resolveSibling(candidate);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new ModelException("no weights found for " + json + ": put " + stem + ".weights.h5 (from"
                + " model.save_weights) beside it");
    }
}
