package io.rnnstream.job;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelLoader;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Makes the model where the operator runs. The operator ships with the job graph, and a {@link Model}
 * is not {@link Serializable}, so each subtask builds its own copy in {@code open()}: from a file
 * path, from the native file's bytes, or from any serializable lambda (tests build models in code).
 * Every call must give the same model.
 */
@FunctionalInterface
public interface ModelProvider extends Serializable {
    Model get() throws Exception;

    /** Loads the model file (native or Keras) on each subtask; the path must be readable there. */
    static ModelProvider file(Path path) {
        String p = path.toAbsolutePath().toString();
        return () -> ModelLoader.load(Path.of(p));
    }

    /**
     * Ships the model itself inside the job graph, as its native file's bytes: the TaskManagers
     * need no access to the file, and every subtask decodes the very same model.
     */
    static ModelProvider of(Model model) {
        byte[] bytes = ModelFile.encode(model);
        String source = model.info().name() + " (shipped with the job)";
        return () -> ModelFile.decode(bytes, source);
    }
}
