package io.rnnstream.bench;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/** The benchmark shapes, with seeded weights of a realistic scale (Glorot-like). */
public final class BenchModels {
    private BenchModels() {}

    public static final int FEATURES = 28;
    public static final int CLASSES = 10;

    /** "simplernn128", "lstm64" or "gru64", each on D = 28 with a Dense(10, softmax) head. */
    public static Model byName(String name) {
        SplittableRandom r = new SplittableRandom(42);
        Layer cell;
        int units;
        switch (name) {
            case "simplernn128":
                units = 128;
                cell = new SimpleRnn("rnn", FEATURES, units, Activation.TANH, true, false, false,
                        t(r, FEATURES, units), t(r, units, units), t(r, units));
                break;
            case "lstm64":
                units = 64;
                cell = new Lstm("lstm", FEATURES, units, Activation.TANH, Activation.SIGMOID, true, false, false,
                        t(r, FEATURES, 4 * units), t(r, units, 4 * units), t(r, 4 * units));
                break;
            case "gru64":
                units = 64;
                cell = new Gru("gru", FEATURES, units, Activation.TANH, Activation.SIGMOID, true, true, false, false,
                        t(r, FEATURES, 3 * units), t(r, units, 3 * units), t(r, 2, 3 * units));
                break;
            default:
                throw new IllegalArgumentException("unknown benchmark model " + name);
        }
        Dense head = new Dense("head", units, CLASSES, Activation.SOFTMAX, true, t(r, units, CLASSES), t(r, CLASSES));
        return new Model(new ModelInfo(name, 1, List.of(), "bench"), 28, List.of(cell, head));
    }

    static Tensor t(SplittableRandom r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double scale = shape.length == 2 ? Math.sqrt(6.0 / (shape[0] + shape[1])) : 0.1;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return new Tensor(shape, data);
    }

    /** Inputs shaped like MNIST rows: pixel intensities in [0, 1], about 80 % zeros. */
    public static float[][] inputs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] xs = new float[n][FEATURES];
        for (float[] x : xs) {
            for (int i = 0; i < FEATURES; i++) {
                x[i] = r.nextDouble() < 0.2 ? (float) r.nextDouble() : 0f;
            }
        }
        return xs;
    }
}
