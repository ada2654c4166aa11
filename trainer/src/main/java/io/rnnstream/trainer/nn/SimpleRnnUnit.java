package io.rnnstream.trainer.nn;

import io.rnnstream.model.Activation;
import io.rnnstream.model.layers.Recurrent;
import io.rnnstream.model.layers.SimpleRnn;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** SimpleRNN with tanh: {@code h_t = tanh(x_t·W + h_{t−1}·U + b)}. */
final class SimpleRnnUnit extends RecurrentUnit {
    /** (T·B, M): tanh outputs of each step, before masking. */
    private INDArray act;
    // Reused from batch to batch while the shape holds (see RecurrentUnit#forward).
    private INDArray deriv;
    private INDArray dz;
    private INDArray[] actBlocks;
    private INDArray[] derivBlocks;
    private INDArray[] dzBlocks;
    private INDArray dh;
    private INDArray held;
    private INDArray carry;
    private INDArray dOutSeen;
    private INDArray[] dOutBlocks;

    SimpleRnnUnit(int inputSize, int units, Random rnd) {
        this(inputSize, units, Init.glorotUniform(rnd, inputSize, units), Init.orthogonal(rnd, units, units),
                new float[units]);
    }

    SimpleRnnUnit(int inputSize, int units, float[] kernel, float[] recurrentKernel, float[] bias) {
        super(inputSize, units, kernel, recurrentKernel, bias, new long[] {units});
    }

    @Override
    public int gates() {
        return 1;
    }

    @Override
    public String type() {
        return "SimpleRNN";
    }

    @Override
    public String kerasName() {
        return "simple_rnn";
    }

    @Override
    protected void reshaped(Batch b) {
        long rows = (long) b.steps() * b.size();
        act = Nd.zeros(rows, units);
        deriv = Nd.zeros(rows, units);
        dz = Nd.zeros(rows, units);
        actBlocks = blocks(act, b.steps(), b.size());
        derivBlocks = blocks(deriv, b.steps(), b.size());
        dzBlocks = blocks(dz, b.steps(), b.size());
        dh = Nd.zeros(b.size(), units);
        held = Nd.zeros(b.size(), units);
        carry = Nd.zeros(b.size(), units);
        dOutSeen = null;
    }

    @Override
    protected void forwardSteps(Batch b, INDArray x) {
        Nd.gemmSet(x, kernel, act, false, false);
        act.addiRowVector(bias);
        for (int t = 0; t < b.steps(); t++) {
            INDArray hp = hBlock(t);
            INDArray a = actBlocks[t];
            Nd.gemmAdd(hp, recurrentKernel, a, false, false);
            Transforms.tanh(a, false);
            store(hBlock(t + 1), hp, a, b.maskAt(t));
        }
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGrad) {
        Batch b = batch;
        if (dOut != dOutSeen) {
            dOutSeen = dOut;
            dOutBlocks = blocks(dOut, b.steps(), b.size());
        }
        act.mul(act, deriv).rsubi(1.0);
        carry.assign(0.0);
        for (int t = b.steps() - 1; t >= 0; t--) {
            dOutBlocks[t].add(carry, dh);
            INDArray m = b.maskAt(t);
            if (m != null) {
                // A padded step passes its gradient straight on to the step before.
                held.assign(dh).muliColumnVector(block(invMask, t));
                dh.muliColumnVector(m);
            }
            INDArray dzt = dzBlocks[t];
            dh.mul(derivBlocks[t], dzt);
            if (m != null) {
                carry.assign(held);
                Nd.gemmAdd(dzt, recurrentKernel, carry, false, true);
            } else {
                Nd.gemmSet(dzt, recurrentKernel, carry, false, true);
            }
        }
        weightGrads(dz, dz);
        dBias.assign(dz.sum(0));
        return inputGrad(dz, needInputGrad);
    }

    @Override
    public Recurrent toLayer(String name, boolean returnSequences) {
        return new SimpleRnn(name, inputSize, units, Activation.TANH, true, returnSequences, false, tensor(kernel),
                tensor(recurrentKernel), tensor(bias));
    }
}
