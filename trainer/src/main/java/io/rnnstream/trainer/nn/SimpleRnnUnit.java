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
    protected void forwardSteps(Batch b, INDArray x) {
        act = Nd.zeros((long) b.steps() * b.size(), units);
        Nd.gemmSet(x, kernel, act, false, false);
        act.addiRowVector(bias);
        for (int t = 0; t < b.steps(); t++) {
            INDArray hp = hBlock(t);
            INDArray a = block(act, t);
            Nd.gemmAdd(hp, recurrentKernel, a, false, false);
            Transforms.tanh(a, false);
            store(hBlock(t + 1), hp, a, b.maskAt(t));
        }
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGrad) {
        Batch b = batch;
        INDArray deriv = act.mul(act).rsubi(1.0);
        INDArray dz = Nd.zeros((long) b.steps() * b.size(), units);
        INDArray carry = Nd.zeros(b.size(), units);
        for (int t = b.steps() - 1; t >= 0; t--) {
            INDArray dh = block(dOut, t).add(carry);
            INDArray m = b.maskAt(t);
            INDArray held = null;
            if (m != null) {
                held = dh.mulColumnVector(block(invMask, t));
                dh.muliColumnVector(m);
            }
            INDArray dzt = block(dz, t);
            dzt.assign(dh.muli(block(deriv, t)));
            if (held != null) {
                carry = held;
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
