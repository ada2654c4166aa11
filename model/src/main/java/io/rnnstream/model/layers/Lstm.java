package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Kernels;
import io.rnnstream.model.StepOps;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras LSTM, gates in Keras's order i, f, c, o:
 * {@code c_t = f ⊙ c_{t−1} + i ⊙ activation(z_c)}, {@code h_t = o ⊙ activation(c_t)}.
 * State: h then c, 2·units floats.
 */
public final class Lstm extends Recurrent {
    public static final LayerType TYPE = new LayerType("LSTM", Lstm::read);

    private final Activation recurrentActivation;

    public Lstm(String name, int inputSize, int units, Activation activation, Activation recurrentActivation,
            boolean useBias, boolean returnSequences, boolean goBackwards, Tensor kernel, Tensor recurrentKernel,
            Tensor bias) {
        super(name, TYPE, inputSize, units, activation, useBias, returnSequences, goBackwards, kernel, recurrentKernel,
                bias, new int[] {4 * units});
        this.recurrentActivation = recurrentActivation;
    }

    public Activation recurrentActivation() {
        return recurrentActivation;
    }

    private static Lstm read(LayerSettings s) {
        Read r = new Read(s, true);
        return new Lstm(r.name, r.inputSize, r.units, r.activation, r.gateActivation, r.useBias, r.returnSequences,
                r.goBackwards, r.kernel, r.recurrentKernel, r.bias);
    }

    @Override
    protected Activation gateActivation() {
        return recurrentActivation;
    }

    @Override
    public String describeState() {
        return "h (" + units + ") + c (" + units + ")";
    }

    @Override
    protected String gateWords() {
        return "4 gates (i, f, c, o) × ";
    }

    @Override
    protected String kerasCell() {
        return "lstm_cell";
    }

    @Override
    protected Map<String, Object> kerasCellSettings() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("unit_forget_bias", true);
        c.put("implementation", 2);
        return c;
    }

    @Override
    public int gates() {
        return 4;
    }

    @Override
    public int stateSize() {
        return 2 * units;
    }

    @Override
    public int scratchSize() {
        return 4 * units;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("recurrent_activation", recurrentActivation.fileName());
        return c;
    }

    @Override
    public void step(float[] x, float[] state, int so, boolean masked, float[] y, float[] z) {
        step(x, state, so, masked, y, z, StepOps.defaultOps());
    }

    @Override
    public void step(float[] x, float[] state, int so, boolean masked, float[] y, float[] z, StepOps ops) {
        if (masked) {
            repeatLastOutput(state, so, y);
            return;
        }
        final int m = units;
        final int g = 4 * m;
        Kernels.init(z, 0, bias, 0, g);
        ops.matVec(x, 0, inputSize, kernel, g, 0, g, z, 0);
        ops.matVec(state, so, m, recurrentKernel, g, 0, g, z, 0);
        gates(z, state, so, y, ops);
    }

    @Override
    public void stepN(float[][] x, float[][] state, int so, float[][] y, float[][] z, StepOps ops, int n) {
        projectN(x, state, so, z, ops, n);
        for (int k = 0; k < n; k++) {
            gates(z[k], state[k], so, y[k], ops);
        }
    }

    /** From z = b + x·W + h·U to the new c and h. */
    private void gates(float[] z, float[] state, int so, float[] y, StepOps ops) {
        final int m = units;
        // Activations in place, a whole gate at a time so they run as vectors: z = [i | f | ĉ | o].
        ops.apply(recurrentActivation, z, 0, 2 * m);
        ops.apply(activation, z, 2 * m, m);
        ops.apply(recurrentActivation, z, 3 * m, m);
        final int hOff = so;
        final int cOff = so + m;
        for (int j = 0; j < m; j++) {
            float c = z[m + j] * state[cOff + j] + z[j] * z[2 * m + j];
            state[cOff + j] = c;
            z[2 * m + j] = c; // ĉ is used up; its slot takes c for activation(c)
        }
        ops.apply(activation, z, 2 * m, m);
        for (int j = 0; j < m; j++) {
            float h = z[3 * m + j] * z[2 * m + j];
            state[hOff + j] = h;
            y[j] = h;
        }
    }
}
