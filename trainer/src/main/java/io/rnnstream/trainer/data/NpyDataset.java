package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import io.rnnstream.model.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder holding {@code X.npy} (N, T, D) and {@code y.npy} (N,) integer class indices, and
 * optionally {@code lengths.npy} (N,) giving each sequence's real length (the rest is padding) and
 * {@code classes.txt} (one class name per line, in index order).
 */
public final class NpyDataset {
    private NpyDataset() {}

    public static boolean isNpyFolder(Path dir) {
        return Files.isDirectory(dir) && Files.exists(dir.resolve("X.npy")) && Files.exists(dir.resolve("y.npy"));
    }

    public static SequenceDataset read(Path dir) {
        if (!isNpyFolder(dir)) {
            throw new ModelException(dir + " needs X.npy (N, T, D) and y.npy (N,)");
        }
        Npy.NpyArray x = Npy.read(dir.resolve("X.npy"));
        Npy.IntArray y = Npy.readInts(dir.resolve("y.npy"));
        if (x.shape().length != 3) {
            throw new ModelException(dir.resolve("X.npy") + " has " + x.shape().length
                    + " dimensions; it needs (sequences, timesteps, features)");
        }
        int n = x.shape()[0];
        int t = x.shape()[1];
        int d = x.shape()[2];
        if (y.shape().length != 1 || y.shape()[0] != n) {
            throw new ModelException(dir.resolve("y.npy") + " must be (" + n + ",): one class index per sequence");
        }
        int[] lengths = new int[n];
        java.util.Arrays.fill(lengths, t);
        Path lp = dir.resolve("lengths.npy");
        if (Files.exists(lp)) {
            Npy.IntArray l = Npy.readInts(lp);
            if (l.shape().length != 1 || l.shape()[0] != n) {
                throw new ModelException(lp + " must be (" + n + ",): one length per sequence");
            }
            for (int i = 0; i < n; i++) {
                lengths[i] = l.data()[i];
                if (lengths[i] < 1 || lengths[i] > t) {
                    throw new ModelException(lp + ": length " + lengths[i] + " of sequence " + i
                            + " is outside 1.." + t);
                }
            }
        }
        float[][][] xs = new float[n][][];
        int[] ys = new int[n];
        int maxClass = -1;
        for (int i = 0; i < n; i++) {
            ys[i] = y.data()[i];
            if (ys[i] < 0) {
                throw new ModelException(dir.resolve("y.npy") + ": label " + ys[i] + " of sequence " + i
                        + " is not a class index (0, 1, 2, …)");
            }
            maxClass = Math.max(maxClass, ys[i]);
            xs[i] = new float[lengths[i]][d];
            for (int s = 0; s < lengths[i]; s++) {
                int base = (i * t + s) * d;
                for (int k = 0; k < d; k++) {
                    xs[i][s][k] = x.data()[base + k];
                }
            }
        }
        List<String> names = new ArrayList<>();
        Path cp = dir.resolve("classes.txt");
        if (Files.exists(cp)) {
            try {
                for (String line : Files.readAllLines(cp)) {
                    if (!line.isBlank()) {
                        names.add(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new ModelException("cannot read " + cp + ": " + e.getMessage(), e);
            }
            if (names.size() <= maxClass) {
                throw new ModelException(cp + " names " + names.size() + " classes but y.npy uses index " + maxClass);
            }
        } else {
            for (int k = 0; k <= maxClass; k++) {
                names.add(Integer.toString(k));
            }
        }
        return new SequenceDataset(dir.getFileName().toString(), xs, ys, names);
    }
}
