package io.rnnstream.job;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.testing.TestTensors;
import java.util.List;
import java.util.Random;

/** Models built in code with seeded random weights (the model file readers live elsewhere). */
public final class TestModels {
    public static final String ID = "test@1-000000000000";
    public static final int D = 3;

    private TestModels() {}

    public static Tensor rnd(Random r, int... shape) {
        return TestTensors.uniform(r, 1.2f, shape);
    }

    public static Dense softmax(Random r, int in, int k) {
        return new Dense("head", in, k, Activation.SOFTMAX, true, rnd(r, in, k), rnd(r, k));
    }

    public static Model simpleRnn(long seed) {
        Random r = new Random(seed);
        return model(List.of(new SimpleRnn("rnn", D, 5, Activation.TANH, true, false, false, rnd(r, D, 5),
                rnd(r, 5, 5), rnd(r, 5)), softmax(r, 5, 4)), List.of("a", "b", "c", "d"));
    }

    public static Model lstm(long seed) {
        Random r = new Random(seed);
        return model(List.of(new Lstm("lstm", D, 6, Activation.TANH, Activation.SIGMOID, true, false, false,
                rnd(r, D, 24), rnd(r, 6, 24), rnd(r, 24)), softmax(r, 6, 3)), List.of());
    }

    /** LSTM(return_sequences) → GRU → Dense(softmax). */
    public static Model stacked(long seed) {
        Random r = new Random(seed);
        return model(List.of(
                new Lstm("lstm", D, 4, Activation.TANH, Activation.SIGMOID, true, true, false, rnd(r, D, 16),
                        rnd(r, 4, 16), rnd(r, 16)),
                new Gru("gru", 4, 5, Activation.TANH, Activation.SIGMOID, true, true, false, false, rnd(r, 4, 15),
                        rnd(r, 5, 15), rnd(r, 2, 15)),
                softmax(r, 5, 3)), List.of());
    }

    /** Masking(0) → SimpleRNN → Dense(1, sigmoid). */
    public static Model masked(long seed) {
        Random r = new Random(seed);
        return model(List.of(new Masking("mask", D, 0f),
                new SimpleRnn("rnn", D, 4, Activation.TANH, true, false, false, rnd(r, D, 4), rnd(r, 4, 4),
                        rnd(r, 4)),
                new Dense("head", 4, 1, Activation.SIGMOID, true, rnd(r, 4, 1), rnd(r, 1))), List.of("no", "yes"));
    }

    public static Model goBackwards(long seed) {
        Random r = new Random(seed);
        return model(List.of(new SimpleRnn("rnn", D, 5, Activation.TANH, true, false, true, rnd(r, D, 5),
                rnd(r, 5, 5), rnd(r, 5)), softmax(r, 5, 4)), List.of());
    }

    private static Model model(List<Layer> layers, List<String> classes) {
        return new Model(new ModelInfo("test", 1, classes, "code"), -1, layers);
    }

    /** A sequence of T feature vectors; every 4th step all zeros (masked by {@link #masked}). */
    public static float[][] sequence(long seed, int t) {
        Random r = new Random(seed);
        float[][] x = new float[t][D];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < D; j++) {
                x[i][j] = i % 4 == 3 ? 0f : (float) r.nextGaussian();
            }
        }
        return x;
    }

    /** Equal bit for bit, with the first index that is not. */
    public static void assertBitEqual(float[] expected, float[] actual, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(expected[i]),
                    Float.floatToRawIntBits(actual[i]), what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }
}
