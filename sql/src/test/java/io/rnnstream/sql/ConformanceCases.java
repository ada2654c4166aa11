package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The model module's conformance fixtures (see its README), read in place: tests run in sql/. */
final class ConformanceCases {
    static final Path ROOT = Path.of("../model/src/test/resources/conformance");

    /** One case: "cases/NAME" (Keras, model.h5) or "onnx-cases/NAME" (PyTorch, model.onnx). */
    record Case(String name, Path modelFile, Model model, float[][][] sequences) {
        boolean causal() {
            return model.whyNotCausal() == null;
        }
    }

    private ConformanceCases() {}

    static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (String set : List.of("cases", "onnx-cases")) {
            try (Stream<Path> s = Files.list(ROOT.resolve(set))) {
                for (Path dir : s.filter(Files::isDirectory).sorted().toList()) {
                    Path file = dir.resolve(set.equals("cases") ? "model.h5" : "model.onnx").toAbsolutePath();
                    if (dir.getFileName().toString().startsWith("refuse-")) {
                        // Models the loader refuses (a bidirectional ONNX layer): nothing to serve.
                        continue;
                    }
                    Npy.NpyArray in = Npy.read(dir.resolve("input.npy"));
                    out.add(new Case(set + "/" + dir.getFileName(), file, ModelLoader.load(file), split(in)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertTrue(out.size() >= 24, "conformance cases not found under " + ROOT.toAbsolutePath());
        return out;
    }

    /** (N, T, D) → N × T × D. */
    static float[][][] split(Npy.NpyArray a) {
        int[] s = a.shape();
        float[][][] out = new float[s[0]][s[1]][s[2]];
        for (int i = 0; i < s[0]; i++) {
            for (int t = 0; t < s[1]; t++) {
                System.arraycopy(a.data(), (i * s[1] + t) * s[2], out[i][t], 0, s[2]);
            }
        }
        return out;
    }
}
