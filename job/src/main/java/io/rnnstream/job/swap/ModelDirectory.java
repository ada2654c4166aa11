package io.rnnstream.job.swap;

import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where a model update by reference may point. Whoever can write to the model topic chooses the
 * path a TaskManager reads, so a reference must name a file inside the job's {@code --model-dir}:
 * no {@code ..}, no symbolic link that leads out, nothing when no directory was given. Refusals
 * name the requested path, never anything read from it.
 */
public final class ModelDirectory {
    private ModelDirectory() {}

    /**
     * The real path of {@code requested} (relative paths are taken inside {@code dir}).
     *
     * @param dir the job's model directory, or null when references are off
     * @throws ModelException with what to do, when the reference is refused
     */
    public static Path resolve(String dir, String requested) {
        if (dir == null) {
            throw new ModelException("model updates by reference are off: start the job with --model-dir DIR and"
                    + " publish paths inside it, or publish the model's bytes");
        }
        Path req;
        try {
            req = Path.of(requested);
        } catch (InvalidPathException e) {
            throw new ModelException("the reference's path is not a path: " + e.getReason());
        }
        for (Path part : req) {
            if (part.toString().equals("..")) {
                throw new ModelException("the reference's path " + requested + " contains '..': name a file inside"
                        + " --model-dir");
            }
        }
        Path root;
        try {
            root = Path.of(dir).toRealPath();
        } catch (IOException e) {
            throw new ModelException("--model-dir " + dir + " cannot be read on this task manager: " + e.getMessage());
        }
        Path target = req.isAbsolute() ? req : root.resolve(req);
        Path real;
        try {
            real = target.toRealPath();
        } catch (IOException e) {
            throw new ModelException("no model file " + requested + " in --model-dir " + dir);
        }
        if (!real.startsWith(root)) {
            throw new ModelException("the reference's path " + requested + " leads outside --model-dir " + dir
                    + " (a symbolic link, or an absolute path elsewhere): only files inside it are read");
        }
        if (!Files.isRegularFile(real)) {
            throw new ModelException("the reference's path " + requested + " is not a file in --model-dir " + dir);
        }
        return real;
    }
}
