package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Kernels;
import io.rnnstream.model.StepOps;

/** Keras SimpleRNN: {@code h_t = activation(x_t·W + h_{t−1}·U + b)}. State: h. */
public final class SimpleRnn extends Recurrent {
    public static final LayerType TYPE = new LayerType("SimpleRNN", SimpleRnn::read);

    public SimpleRnn(String name, int inputSize, int units, Activation activation, boolean useBias,
            boolean returnSequences, boolean goBackwards, Tensor kernel, Tensor recurrentKernel, Tensor bias) {
        super(name, TYPE, inputSize, units, activation, useBias, returnSequences, goBackwards, kernel, recurrentKernel,
                bias, new int[] {units});
    }

    private static SimpleRnn read(LayerSettings s) {
        Read r = new Read(s, false);
        return new SimpleRnn(r.name, r.inputSize, r.units, r.activation, r.useBias, r.returnSequences, r.goBackwards,
                r.kernel, r.recurrentKernel, r.bias);
    }

    @Override
    protected String gateWords() {
        return "";
    }

    @Override
    protected String kerasCell() {
        return "simple_rnn_cell";
    }

    @Override
    public int gates() {
        return 1;
    }

    @Override
    public int scratchSize() {
        return units;
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
        Kernels.init(z, 0, bias, 0, m);
        ops.matVec(x, 0, inputSize, kernel, m, 0, m, z, 0);
        ops.matVec(state, so, m, recurrentKernel, m, 0, m, z, 0);
        finish(z, state, so, y, ops);
    }

    @Override
    public void stepN(float[][] x, float[][] state, int so, float[][] y, float[][] z, StepOps ops, int n) {
        projectN(x, state, so, z, ops, n);
        for (int k = 0; k < n; k++) {
            finish(z[k], state[k], so, y[k], ops);
        }
    }

    private void finish(float[] z, float[] state, int so, float[] y, StepOps ops) {
        ops.apply(activation, z, 0, units);
        System.arraycopy(z, 0, state, so, units);
        System.arraycopy(z, 0, y, 0, units);
    }
}
