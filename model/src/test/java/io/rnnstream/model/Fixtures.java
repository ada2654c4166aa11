package io.rnnstream.model;

import io.rnnstream.model.io.Npy;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test fixtures copied from the shared conformance set into {@code src/test/resources/conformance}. */
public final class Fixtures {
    private Fixtures() {}

    /** A file or folder under {@code conformance/} on the test classpath. */
    public static Path conformance(String relative) {
        URL url = Fixtures.class.getResource("/conformance/" + relative);
        if (url == null) {
            throw new IllegalStateException("test resource conformance/" + relative + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Splits an (N, T, D) array into N sequences of T rows of D floats. */
    public static float[][][] sequences(Npy.NpyArray a) {
        if (a.rank() != 3) {
            throw new IllegalArgumentException("expected (N, T, D), got " + a);
        }
        int n = a.shape()[0];
        int t = a.shape()[1];
        int d = a.shape()[2];
        float[][][] out = new float[n][t][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < t; j++) {
                System.arraycopy(a.data(), (i * t + j) * d, out[i][j], 0, d);
            }
        }
        return out;
    }

    /** Row {@code i} of an (N, …) array as (rows, cols): (N, K) gives (1, K), (N, T, K) gives (T, K). */
    public static float[][] item(Npy.NpyArray a, int i) {
        int[] s = a.shape();
        int rows = s.length == 3 ? s[1] : 1;
        int cols = s[s.length - 1];
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a.data(), (i * rows + r) * cols, out[r], 0, cols);
        }
        return out;
    }
}
