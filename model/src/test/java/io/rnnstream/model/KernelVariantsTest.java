package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scalar and vector kernels agree (within 1e-6; today bit for bit) on random models of every
 * cell type, and predict runs exactly the kernel the stream runs.
 */
class KernelVariantsTest {
    private static final float MASK = -1f;

    static Stream<String> models() {
        return Stream.of("simplernn128", "simplernn37", "lstm64", "lstm10", "gru64-reset-after",
                "gru64-reset-before", "gru13-reset-before", "stacked-lstm-gru-simplernn", "masked-lstm",
                "sigmoid-head-no-bias");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void scalarAndVectorAgree(String name) {
        assumeTrue(StepOps.vectorAvailable(), "JVM without jdk.incubator.vector");
        Model model = model(name, new SplittableRandom(name.hashCode()));
        StepKernel scalar = new StepKernel(model, StepOps.scalar());
        StepKernel vector = new StepKernel(model, StepOps.vector());
        assertEquals("scalar", scalar.variant());
        assertTrue(vector.variant().startsWith("vector-"), vector.variant());
        SplittableRandom r = new SplittableRandom(7);
        for (int seq = 0; seq < 5; seq++) {
            float[] s1 = scalar.newState();
            float[] s2 = vector.newState();
            double worst = 0;
            for (int t = 0; t < 60; t++) {
                float[] x = input(r, model.inputSize(), name.startsWith("masked") && t % 7 == 3);
                float[] y1 = scalar.step(s1, x).clone();
                float[] y2 = vector.step(s2, x);
                worst = Math.max(worst, Forward.maxAbsDiff(new float[][] {y1, s1}, new float[][] {y2, s2}));
            }
            assertTrue(worst <= 1e-6, name + ": scalar and vector differ by " + worst);
            // Same fma order and the same activation bits: nothing differs at all today.
            assertEquals(0.0, worst, name + ": scalar and vector are no longer bit-identical");
        }
    }

    /**
     * Several keys stepped at once give each key the bits it gets alone, in every variant, for batch
     * sizes around the vector variant's four-key blocks; keys start their sequences at different steps.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void manyKeysAtOnceGiveEachKeyItsOwnBits(String name) {
        Model model = model(name, new SplittableRandom(name.hashCode()));
        List<StepOps> variants = new ArrayList<>(List.of(StepOps.scalar()));
        if (StepOps.vectorAvailable()) {
            variants.add(StepOps.vector());
        }
        for (StepOps ops : variants) {
            for (int n : new int[] {1, 3, 4, 5, 8, 13}) {
                StepKernel alone = new StepKernel(model, ops);
                StepKernel together = new StepKernel(model, ops);
                SplittableRandom r = new SplittableRandom(31 * n + 1);
                float[][] s1 = new float[n][];
                float[][] s2 = new float[n][];
                for (int k = 0; k < n; k++) {
                    s1[k] = alone.newState();
                    s2[k] = together.newState();
                }
                for (int t = 0; t < 25; t++) {
                    float[][] xs = new float[n][];
                    for (int k = 0; k < n; k++) {
                        xs[k] = input(r, model.inputSize(), name.startsWith("masked") && (t + k) % 7 == 3);
                        if ((t + k) % 11 == 0) {
                            java.util.Arrays.fill(s1[k], 0f);
                            java.util.Arrays.fill(s2[k], 0f);
                        }
                    }
                    float[][] ys = together.stepN(s2, xs, n);
                    for (int k = 0; k < n; k++) {
                        float[] y = alone.step(s1[k], xs[k]);
                        String where = name + " " + ops.name() + " n=" + n + " key " + k + " step " + t;
                        assertArrayEquals(y, ys[k], where);
                        assertArrayEquals(s1[k], s2[k], where + " state");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void warmingUpChangesNoOutput(String name) {
        Model model = model(name, new SplittableRandom(name.hashCode()));
        StepKernel cold = new StepKernel(model);
        StepKernel warm = new StepKernel(model);
        warm.warmUp(200);
        warm.warmUpBundles(40, 16);
        SplittableRandom r = new SplittableRandom(5);
        float[] s1 = cold.newState();
        float[] s2 = warm.newState();
        for (int t = 0; t < 30; t++) {
            float[] x = input(r, model.inputSize(), name.startsWith("masked") && t % 4 == 1);
            assertArrayEquals(cold.step(s1, x), warm.step(s2, x), name + " step " + t);
            float[][] batch = warm.stepN(new float[][] {s2.clone()}, new float[][] {x}, 1);
            assertArrayEquals(cold.step(s1.clone(), x), batch[0], name + " batched step " + t);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void predictRunsTheStreamsKernel(String name) {
        Model model = model(name, new SplittableRandom(name.hashCode()));
        SplittableRandom r = new SplittableRandom(11);
        float[][] seq = new float[40][];
        for (int t = 0; t < seq.length; t++) {
            seq[t] = input(r, model.inputSize(), name.startsWith("masked") && t % 5 == 2);
        }
        StepKernel stream = new StepKernel(model);
        assertEquals(StepKernel.defaultVariant(), stream.variant());
        float[] state = stream.newState();
        float[][] perStep = Forward.sequences(model, seq);
        for (int t = 0; t < seq.length; t++) {
            assertArrayEquals(perStep[t], stream.step(state, seq[t]), name + " step " + t);
        }
    }

    /** The stream keeps only the state and recomputes the last output for an idle-timeout record. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void outputOfTheStateIsTheStepsOutput(String name) {
        Model model = model(name, new SplittableRandom(name.hashCode()));
        SplittableRandom r = new SplittableRandom(13);
        StepKernel k = new StepKernel(model);
        float[] state = k.newState();
        for (int t = 0; t < 40; t++) {
            // Masked steps first too: before any real step the output is zeros, and h is zeros.
            float[] x = input(r, model.inputSize(), name.startsWith("masked") && (t < 2 || t % 5 == 2));
            float[] y = k.step(state, x).clone();
            assertArrayEquals(y, k.outputOf(state).clone(), name + " step " + t);
        }
    }

    @Test
    void variantsByName() {
        assertSame(StepOps.scalar(), StepOps.forName("scalar"));
        assertSame(StepOps.defaultOps(), StepOps.forName(System.getProperty(StepOps.PROPERTY, "auto")));
        ModelException e = assertThrows(ModelException.class, () -> StepOps.forName("simd"));
        assertTrue(e.getMessage().contains("auto, vector or scalar"), e.getMessage());
        if (StepOps.vectorAvailable()) {
            assertSame(StepOps.vector(), StepOps.forName("vector"));
            assertSame(StepOps.vector(), StepOps.auto());
        } else {
            assertSame(StepOps.scalar(), StepOps.auto());
            assertThrows(ModelException.class, StepOps::vector);
        }
        String forced = System.getProperty(StepOps.PROPERTY);
        if ("scalar".equals(forced)) {
            assertEquals("scalar", StepKernel.defaultVariant());
        }
    }

    private static float[] input(SplittableRandom r, int n, boolean masked) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = masked ? MASK : (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    static Model model(String name, SplittableRandom r) {
        int d = 28;
        List<Layer> ls = new ArrayList<>();
        int units;
        switch (name) {
            case "simplernn128":
            case "simplernn37":
                units = name.equals("simplernn128") ? 128 : 37;
                ls.add(new SimpleRnn("rnn", d, units, Activation.TANH, true, false, false, t(r, d, units),
                        t(r, units, units), t(r, units)));
                break;
            case "lstm64":
            case "lstm10":
                units = name.equals("lstm64") ? 64 : 10;
                ls.add(lstm("lstm", r, d, units, false));
                break;
            case "gru64-reset-after":
            case "gru64-reset-before":
            case "gru13-reset-before":
                units = name.startsWith("gru64") ? 64 : 13;
                ls.add(gru("gru", r, d, units, name.endsWith("after"), false));
                break;
            case "stacked-lstm-gru-simplernn":
                ls.add(lstm("l1", r, d, 32, true));
                ls.add(gru("l2", r, 32, 24, true, true));
                ls.add(new SimpleRnn("l3", 24, 20, Activation.TANH, true, false, false, t(r, 24, 20), t(r, 20, 20),
                        t(r, 20)));
                units = 20;
                break;
            case "masked-lstm":
                ls.add(new Masking("mask", d, MASK));
                ls.add(lstm("lstm", r, d, 48, false));
                units = 48;
                break;
            case "sigmoid-head-no-bias":
                ls.add(gru("gru", r, d, 16, false, false));
                ls.add(new Dense("head", 16, 3, Activation.SIGMOID, false, t(r, 16, 3), null));
                return new Model(new ModelInfo(name, 1, List.of(), "test"), -1, ls);
            default:
                throw new IllegalArgumentException(name);
        }
        ls.add(new Dense("head", units, 10, Activation.SOFTMAX, true, t(r, units, 10), t(r, 10)));
        return new Model(new ModelInfo(name, 1, List.of(), "test"), -1, ls);
    }

    private static Lstm lstm(String n, SplittableRandom r, int in, int m, boolean seq) {
        return new Lstm(n, in, m, Activation.TANH, Activation.SIGMOID, true, seq, false, t(r, in, 4 * m),
                t(r, m, 4 * m), t(r, 4 * m));
    }

    private static Gru gru(String n, SplittableRandom r, int in, int m, boolean resetAfter, boolean seq) {
        return new Gru(n, in, m, Activation.TANH, Activation.SIGMOID, true, resetAfter, seq, false, t(r, in, 3 * m),
                t(r, m, 3 * m), resetAfter ? t(r, 2, 3 * m) : t(r, 3 * m));
    }

    /** Weights about twice Glorot scale, so activations also reach their saturated tails. */
    private static Tensor t(SplittableRandom r, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double scale = shape.length == 2 ? 2 * Math.sqrt(6.0 / (shape[0] + shape[1])) : 0.5;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return new Tensor(shape, data);
    }
}
