package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Kernels;
import io.rnnstream.model.StepOps;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras GRU, gates in Keras's order z, r, h; {@code h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ}. With
 * {@code reset_after=True} (Keras ≥ 2.3's default, cuDNN-compatible) r multiplies {@code h·U_h + b_rh}
 * and the bias is (2, 3·units); with {@code reset_after=False} (Keras 2's old default) r multiplies h
 * before {@code U_h} and the bias is (3·units). State: h.
 */
public final class Gru extends Recurrent {
    public static final LayerType TYPE = new LayerType("GRU", Gru::read);

    private final Activation recurrentActivation;
    private final boolean resetAfter;

    public Gru(String name, int inputSize, int units, Activation activation, Activation recurrentActivation,
            boolean useBias, boolean resetAfter, boolean returnSequences, boolean goBackwards, Tensor kernel,
            Tensor recurrentKernel, Tensor bias) {
        super(name, TYPE, inputSize, units, activation, useBias, returnSequences, goBackwards, kernel, recurrentKernel,
                bias, resetAfter ? new int[] {2, 3 * units} : new int[] {3 * units});
        this.recurrentActivation = recurrentActivation;
        this.resetAfter = resetAfter;
    }

    public Activation recurrentActivation() {
        return recurrentActivation;
    }

    public boolean resetAfter() {
        return resetAfter;
    }

    private static Gru read(LayerSettings s) {
        Read r = new Read(s, true);
        // Keras < 2.3 had no reset_after and computed as reset_after=False; a (2, 3·units) bias says True.
        boolean resetAfter = s.flag("reset_after", r.bias != null ? r.bias.rank() == 2 : s.kerasMajor() >= 3);
        return new Gru(r.name, r.inputSize, r.units, r.activation, r.gateActivation, r.useBias, resetAfter,
                r.returnSequences, r.goBackwards, r.kernel, r.recurrentKernel, r.bias);
    }

    @Override
    protected Activation gateActivation() {
        return recurrentActivation;
    }

    @Override
    protected int biasRows() {
        return useBias && resetAfter ? 2 : super.biasRows();
    }

    @Override
    protected String biasWords() {
        return resetAfter ? " + 2 bias rows, reset_after=True" : super.biasWords();
    }

    @Override
    protected String gateWords() {
        return "3 gates (z, r, h) × ";
    }

    @Override
    protected String kerasCell() {
        return "gru_cell";
    }

    @Override
    protected Map<String, Object> kerasCellSettings() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("implementation", 2);
        c.put("reset_after", resetAfter);
        return c;
    }

    @Override
    public int gates() {
        return 3;
    }

    @Override
    protected int[] biasShape() {
        return resetAfter ? new int[] {2, 3 * units} : new int[] {3 * units};
    }

    @Override
    public int scratchSize() {
        return 6 * units;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("recurrent_activation", recurrentActivation.fileName());
        c.put("reset_after", resetAfter);
        return c;
    }

    @Override
    public void step(float[] x, float[] state, int so, boolean masked, float[] y, float[] s) {
        step(x, state, so, masked, y, s, StepOps.defaultOps());
    }

    @Override
    public void step(float[] x, float[] state, int so, boolean masked, float[] y, float[] s, StepOps ops) {
        if (masked) {
            repeatLastOutput(state, so, y);
            return;
        }
        final int m = units;
        final int g = 3 * m;
        // s[0, 3m): the input projection x·W (+ input bias); s[3m, 6m): the recurrent projection.
        // After the gates, s[0, m) holds z, s[2m, 3m) the candidate ĥ.
        Kernels.init(s, 0, bias, 0, g);
        ops.matVec(x, 0, inputSize, kernel, g, 0, g, s, 0);
        if (resetAfter) {
            Kernels.init(s, g, bias, g, g);
            ops.matVec(state, so, m, recurrentKernel, g, 0, g, s, g);
            resetAfterGates(s, state, so, y, ops);
            return;
        }
        // z and r first, then (r ⊙ h)·U_h, so the candidate needs the reset state in scratch.
        java.util.Arrays.fill(s, g, g + 2 * m, 0f);
        ops.matVec(state, so, m, recurrentKernel, g, 0, 2 * m, s, g);
        for (int j = 0; j < 2 * m; j++) {
            s[j] += s[g + j];
        }
        ops.apply(recurrentActivation, s, 0, 2 * m);
        for (int j = 0; j < m; j++) {
            s[g + m + j] = s[m + j] * state[so + j];
        }
        // s[2m, 3m) += (r ⊙ h)·U_h
        ops.matVec(s, g + m, m, recurrentKernel, g, 2 * m, m, s, 2 * m);
        update(s, state, so, y, ops);
    }

    @Override
    public void stepN(float[][] x, float[][] state, int so, float[][] y, float[][] s, StepOps ops, int n) {
        if (!resetAfter) {
            // (r ⊙ h)·U_h needs each key's r first: a third product between per-key work; loop.
            super.stepN(x, state, so, y, s, ops, n);
            return;
        }
        final int g = 3 * units;
        for (int k = 0; k < n; k++) {
            Kernels.init(s[k], 0, bias, 0, g);
            Kernels.init(s[k], g, bias, g, g);
        }
        ops.matVecN(x, 0, inputSize, kernel, g, 0, g, s, 0, n);
        ops.matVecN(state, so, units, recurrentKernel, g, 0, g, s, g, n);
        for (int k = 0; k < n; k++) {
            resetAfterGates(s[k], state[k], so, y[k], ops);
        }
    }

    /** reset_after=True, from both projections in s to the new h. */
    private void resetAfterGates(float[] s, float[] state, int so, float[] y, StepOps ops) {
        final int m = units;
        final int g = 3 * m;
        for (int j = 0; j < 2 * m; j++) {
            s[j] += s[g + j];
        }
        ops.apply(recurrentActivation, s, 0, 2 * m);
        for (int j = 0; j < m; j++) {
            s[2 * m + j] += s[m + j] * s[g + 2 * m + j]; // x·W_h + b_h + r ⊙ (h·U_h + b_rh)
        }
        update(s, state, so, y, ops);
    }

    /** h = z ⊙ h + (1 − z) ⊙ activation(ĥ). */
    private void update(float[] s, float[] state, int so, float[] y, StepOps ops) {
        final int m = units;
        ops.apply(activation, s, 2 * m, m);
        for (int j = 0; j < m; j++) {
            float z = s[j];
            float h = z * state[so + j] + (1f - z) * s[2 * m + j];
            state[so + j] = h;
            y[j] = h;
        }
    }
}
