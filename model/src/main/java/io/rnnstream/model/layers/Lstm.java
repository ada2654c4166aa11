package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Kernels;
import java.util.Map;

/**
 * Keras LSTM, gates in Keras's order i, f, c, o:
 * {@code c_t = f ⊙ c_{t−1} + i ⊙ activation(z_c)}, {@code h_t = o ⊙ activation(c_t)}.
 * State: h then c, 2·units floats.
 */
public final class Lstm extends Recurrent {
    private final Activation recurrentActivation;

    public Lstm(String name, int inputSize, int units, Activation activation, Activation recurrentActivation,
            boolean useBias, boolean returnSequences, boolean goBackwards, Tensor kernel, Tensor recurrentKernel,
            Tensor bias) {
        super(name, inputSize, units, activation, useBias, returnSequences, goBackwards, kernel, recurrentKernel,
                bias, new int[] {4 * units});
        this.recurrentActivation = recurrentActivation;
    }

    public Activation recurrentActivation() {
        return recurrentActivation;
    }

    @Override
    public String type() {
        return "LSTM";
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
        if (masked) {
            repeatLastOutput(state, so, y);
            return;
        }
        final int m = units;
        final int g = 4 * m;
        Kernels.init(z, 0, bias, 0, g);
        Kernels.vecMatAdd(x, 0, inputSize, kernel, g, 0, g, z, 0);
        Kernels.vecMatAdd(state, so, m, recurrentKernel, g, 0, g, z, 0);
        final int hOff = so;
        final int cOff = so + m;
        for (int j = 0; j < m; j++) {
            float i = recurrentActivation.apply(z[j]);
            float f = recurrentActivation.apply(z[m + j]);
            float cc = activation.apply(z[2 * m + j]);
            float o = recurrentActivation.apply(z[3 * m + j]);
            float c = f * state[cOff + j] + i * cc;
            float h = o * activation.apply(c);
            state[cOff + j] = c;
            state[hOff + j] = h;
            y[j] = h;
        }
    }
}
