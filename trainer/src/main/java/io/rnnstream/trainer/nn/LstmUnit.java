package io.rnnstream.trainer.nn;

import io.rnnstream.model.Activation;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Recurrent;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LSTM with Keras's gate order i, f, c, o, tanh and sigmoid:
 * {@code c_t = f ⊙ c_{t−1} + i ⊙ g}, {@code h_t = o ⊙ tanh(c_t)}.
 */
final class LstmUnit extends RecurrentUnit {
    /** (T·B, 4M): activated gates i, f, g, o of each step. */
    private INDArray gatesAct;
    /** ((T+1)·B, M): c, block 0 zero. */
    private INDArray cAll;
    /** (T·B, M): tanh(c_t). */
    private INDArray tanhC;

    LstmUnit(int inputSize, int units, Random rnd) {
        this(inputSize, units, Init.glorotUniform(rnd, inputSize, 4 * units), Init.orthogonal(rnd, units, 4 * units),
                forgetBias(units));
    }

    LstmUnit(int inputSize, int units, float[] kernel, float[] recurrentKernel, float[] bias) {
        super(inputSize, units, kernel, recurrentKernel, bias, new long[] {4L * units});
    }

    /** Keras's unit_forget_bias=True: the forget gate's bias starts at 1. */
    private static float[] forgetBias(int units) {
        float[] b = new float[4 * units];
        java.util.Arrays.fill(b, units, 2 * units, 1f);
        return b;
    }

    @Override
    public int gates() {
        return 4;
    }

    @Override
    public String type() {
        return "LSTM";
    }

    @Override
    public String kerasName() {
        return "lstm";
    }

    @Override
    protected void forwardSteps(Batch b, INDArray x) {
        final int m = units;
        long rows = (long) b.steps() * b.size();
        gatesAct = Nd.zeros(rows, 4L * m);
        cAll = Nd.zeros(rows + b.size(), m);
        tanhC = Nd.zeros(rows, m);
        Nd.gemmSet(x, kernel, gatesAct, false, false);
        gatesAct.addiRowVector(bias);
        for (int t = 0; t < b.steps(); t++) {
            INDArray hp = hBlock(t);
            INDArray cp = block(cAll, t);
            INDArray z = block(gatesAct, t);
            Nd.gemmAdd(hp, recurrentKernel, z, false, false);
            Transforms.sigmoid(Nd.cols(z, 0, 2L * m), false);
            Transforms.tanh(Nd.cols(z, 2L * m, 3L * m), false);
            Transforms.sigmoid(Nd.cols(z, 3L * m, 4L * m), false);
            INDArray i = Nd.cols(z, 0, m);
            INDArray f = Nd.cols(z, m, 2L * m);
            INDArray g = Nd.cols(z, 2L * m, 3L * m);
            INDArray o = Nd.cols(z, 3L * m, 4L * m);
            INDArray c = f.mul(cp).addi(i.mul(g));
            INDArray mask = b.maskAt(t);
            INDArray cn = block(cAll, t + 1);
            store(cn, cp, c, mask);
            INDArray tc = block(tanhC, t);
            tc.assign(cn);
            Transforms.tanh(tc, false);
            store(hBlock(t + 1), hp, o.mul(tc), mask);
        }
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGrad) {
        Batch b = batch;
        final int m = units;
        long rows = (long) b.steps() * b.size();
        // Activation derivatives for all steps at once: s(1 − s) for the sigmoid gates, 1 − g² for g.
        INDArray deriv = gatesAct.rsub(1.0).muli(gatesAct);
        INDArray g = Nd.cols(gatesAct, 2L * m, 3L * m);
        Nd.cols(deriv, 2L * m, 3L * m).assign(g.mul(g).rsubi(1.0));
        INDArray tanhDeriv = tanhC.mul(tanhC).rsubi(1.0);
        INDArray dz = Nd.zeros(rows, 4L * m);
        INDArray carryH = Nd.zeros(b.size(), m);
        INDArray carryC = Nd.zeros(b.size(), m);
        for (int t = b.steps() - 1; t >= 0; t--) {
            INDArray dh = block(dOut, t).add(carryH);
            INDArray dc = carryC;
            INDArray mask = b.maskAt(t);
            INDArray heldH = null;
            INDArray heldC = null;
            if (mask != null) {
                INDArray inv = block(invMask, t);
                heldH = dh.mulColumnVector(inv);
                heldC = dc.mulColumnVector(inv);
                dh.muliColumnVector(mask);
                dc = dc.mulColumnVector(mask);
            }
            INDArray gt = block(gatesAct, t);
            INDArray dt = block(deriv, t);
            INDArray i = Nd.cols(gt, 0, m);
            INDArray f = Nd.cols(gt, m, 2L * m);
            INDArray gg = Nd.cols(gt, 2L * m, 3L * m);
            INDArray o = Nd.cols(gt, 3L * m, 4L * m);
            INDArray tc = block(tanhC, t);
            INDArray cp = block(cAll, t);
            dc = dc.add(dh.mul(o).muli(block(tanhDeriv, t)));
            INDArray dzt = block(dz, t);
            Nd.cols(dzt, 0, m).assign(dc.mul(gg).muli(Nd.cols(dt, 0, m)));
            Nd.cols(dzt, m, 2L * m).assign(dc.mul(cp).muli(Nd.cols(dt, m, 2L * m)));
            Nd.cols(dzt, 2L * m, 3L * m).assign(dc.mul(i).muli(Nd.cols(dt, 2L * m, 3L * m)));
            Nd.cols(dzt, 3L * m, 4L * m).assign(dh.mul(tc).muli(Nd.cols(dt, 3L * m, 4L * m)));
            carryC = dc.muli(f);
            if (heldC != null) {
                carryC.addi(heldC);
                carryH = heldH;
                Nd.gemmAdd(dzt, recurrentKernel, carryH, false, true);
            } else {
                carryH = Nd.zeros(b.size(), m);
                Nd.gemmSet(dzt, recurrentKernel, carryH, false, true);
            }
        }
        weightGrads(dz, dz);
        dBias.assign(dz.sum(0));
        return inputGrad(dz, needInputGrad);
    }

    @Override
    public Recurrent toLayer(String name, boolean returnSequences) {
        return new Lstm(name, inputSize, units, Activation.TANH, Activation.SIGMOID, true, returnSequences, false,
                tensor(kernel), tensor(recurrentKernel), tensor(bias));
    }
}
