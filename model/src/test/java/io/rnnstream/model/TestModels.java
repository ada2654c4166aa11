package io.rnnstream.model;

import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Dropout;
import io.rnnstream.model.layers.Flatten;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.testing.TestTensors;
import java.util.List;
import java.util.Random;

/** Models with random weights, built in code, for tests. */
final class TestModels {
    private TestModels() {}

    static Tensor rand(Random r, int... shape) {
        return TestTensors.gaussian(r, 0.3, shape);
    }

    static Tensor positive(Random r, int... shape) {
        Tensor t = rand(r, shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = Math.abs(t.data()[i]) + 0.1f;
        }
        return t;
    }

    static ModelInfo info(String name) {
        return new ModelInfo(name, 1, List.of(), "test");
    }

    static SimpleRnn simpleRnn(Random r, String name, int d, int units, boolean seq) {
        return new SimpleRnn(name, d, units, Activation.TANH, true, seq, false, rand(r, d, units),
                rand(r, units, units), rand(r, units));
    }

    static Lstm lstm(Random r, String name, int d, int units, boolean seq) {
        return new Lstm(name, d, units, Activation.TANH, Activation.SIGMOID, true, seq, false, rand(r, d, 4 * units),
                rand(r, units, 4 * units), rand(r, 4 * units));
    }

    static Gru gru(Random r, String name, int d, int units, boolean resetAfter, boolean seq) {
        return new Gru(name, d, units, Activation.TANH, Activation.SIGMOID, true, resetAfter, seq, false,
                rand(r, d, 3 * units), rand(r, units, 3 * units),
                resetAfter ? rand(r, 2, 3 * units) : rand(r, 3 * units));
    }

    static Dense dense(Random r, String name, int in, int units, Activation a) {
        return new Dense(name, in, units, a, true, rand(r, in, units), rand(r, units));
    }

    /** SimpleRNN(128) on (28, 28) + Dense(10, softmax): the MNIST row-by-row classifier. */
    static Model mnist(long seed) {
        Random r = new Random(seed);
        return new Model(new ModelInfo("mnist-simplernn", 1, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                "test"), 28, List.of(simpleRnn(r, "simple_rnn", 28, 128, false),
                        dense(r, "dense", 128, 10, Activation.SOFTMAX)));
    }

    /** Every causal layer type in one chain. */
    static Model everything(long seed) {
        Random r = new Random(seed);
        int d = 6;
        List<Layer> layers = List.of(
                new Masking("masking", d, 0f),
                new Normalization("normalization", rand(r, d), positive(r, d)),
                simpleRnn(r, "simple_rnn", d, 5, true),
                new Lstm("lstm", 5, 7, Activation.TANH, Activation.HARD_SIGMOID, false, true, false,
                        rand(r, 5, 28), rand(r, 7, 28), null),
                gru(r, "gru", 7, 4, true, true),
                gru(r, "gru_1", 4, 3, false, true),
                new Dropout("dropout", 3, 0.25f),
                new Dense("dense", 3, 2, Activation.SIGMOID, false, rand(r, 3, 2), null));
        return new Model(new ModelInfo("everything", 3, List.of("no", "yes"), "unit test"), -1, layers);
    }

    /** A non-causal model: Flatten over a fixed length. */
    static Model flatten(long seed) {
        Random r = new Random(seed);
        return new Model(info("flat"), 5, List.of(lstm(r, "lstm", 3, 4, true), new Flatten("flatten", 5, 4),
                dense(r, "dense", 20, 3, Activation.SOFTMAX)));
    }

    /** A go_backwards model. */
    static Model backwards(long seed) {
        Random r = new Random(seed);
        return new Model(info("back"), -1, List.of(new SimpleRnn("rnn", 3, 4, Activation.RELU, true, false, true,
                rand(r, 3, 4), rand(r, 4, 4), rand(r, 4)), dense(r, "dense", 4, 2, Activation.LINEAR)));
    }

    static float[][] sequence(long seed, int t, int d) {
        Random r = new Random(seed);
        float[][] x = new float[t][d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
        }
        return x;
    }
}
