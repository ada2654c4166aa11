package io.rnnstream.trainer.nn;

import io.rnnstream.model.Activation;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Recurrent;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GRU with reset_after=True (Keras's default), gates z, r, h and bias (2, 3M), input row then
 * recurrent row: {@code ĥ = tanh(x·W_h + b_ih + r ⊙ (h·U_h + b_rh))},
 * {@code h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ}.
 */
final class GruUnit extends RecurrentUnit {
    /** (T·B, 3M): activated z, r, ĥ of each step. */
    private INDArray gatesAct;
    /** (T·B, 3M): h_{t−1}·U + b_rec of each step. */
    private INDArray recProj;

    GruUnit(int inputSize, int units, Random rnd) {
        this(inputSize, units, Init.glorotUniform(rnd, inputSize, 3 * units), Init.orthogonal(rnd, units, 3 * units),
                new float[6 * units]);
    }

    GruUnit(int inputSize, int units, float[] kernel, float[] recurrentKernel, float[] bias) {
        super(inputSize, units, kernel, recurrentKernel, bias, new long[] {2, 3L * units});
    }

    @Override
    public int gates() {
        return 3;
    }

    @Override
    public String type() {
        return "GRU";
    }

    @Override
    public String kerasName() {
        return "gru";
    }

    @Override
    protected void forwardSteps(Batch b, INDArray x) {
        final int m = units;
        long rows = (long) b.steps() * b.size();
        gatesAct = Nd.zeros(rows, 3L * m);
        recProj = Nd.zeros(rows, 3L * m);
        Nd.gemmSet(x, kernel, gatesAct, false, false);
        gatesAct.addiRowVector(bias.getRow(0));
        recProj.addiRowVector(bias.getRow(1));
        for (int t = 0; t < b.steps(); t++) {
            INDArray hp = hBlock(t);
            INDArray a = block(gatesAct, t);
            INDArray r = block(recProj, t);
            Nd.gemmAdd(hp, recurrentKernel, r, false, false);
            INDArray zr = Nd.cols(a, 0, 2L * m);
            zr.addi(Nd.cols(r, 0, 2L * m));
            Transforms.sigmoid(zr, false);
            INDArray hh = Nd.cols(a, 2L * m, 3L * m);
            hh.addi(Nd.cols(a, m, 2L * m).mul(Nd.cols(r, 2L * m, 3L * m)));
            Transforms.tanh(hh, false);
            // h = ĥ + z ⊙ (h_prev − ĥ)
            INDArray h = hp.sub(hh).muli(Nd.cols(a, 0, m)).addi(hh);
            store(hBlock(t + 1), hp, h, b.maskAt(t));
        }
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGrad) {
        Batch b = batch;
        final int m = units;
        long rows = (long) b.steps() * b.size();
        INDArray deriv = gatesAct.rsub(1.0).muli(gatesAct);
        INDArray hhAll = Nd.cols(gatesAct, 2L * m, 3L * m);
        Nd.cols(deriv, 2L * m, 3L * m).assign(hhAll.mul(hhAll).rsubi(1.0));
        INDArray dIn = Nd.zeros(rows, 3L * m);
        INDArray dRec = Nd.zeros(rows, 3L * m);
        INDArray carry = Nd.zeros(b.size(), m);
        for (int t = b.steps() - 1; t >= 0; t--) {
            INDArray dh = block(dOut, t).add(carry);
            INDArray mask = b.maskAt(t);
            INDArray held = null;
            if (mask != null) {
                held = dh.mulColumnVector(block(invMask, t));
                dh.muliColumnVector(mask);
            }
            INDArray at = block(gatesAct, t);
            INDArray dt = block(deriv, t);
            INDArray z = Nd.cols(at, 0, m);
            INDArray r = Nd.cols(at, m, 2L * m);
            INDArray hh = Nd.cols(at, 2L * m, 3L * m);
            INDArray hp = hBlock(t);
            INDArray dInT = block(dIn, t);
            INDArray dRecT = block(dRec, t);
            Nd.cols(dInT, 0, m).assign(hp.sub(hh).muli(dh).muli(Nd.cols(dt, 0, m)));
            INDArray dA = z.rsub(1.0).muli(dh).muli(Nd.cols(dt, 2L * m, 3L * m));
            Nd.cols(dInT, 2L * m, 3L * m).assign(dA);
            Nd.cols(dInT, m, 2L * m).assign(dA.mul(Nd.cols(block(recProj, t), 2L * m, 3L * m))
                    .muli(Nd.cols(dt, m, 2L * m)));
            Nd.cols(dRecT, 0, 2L * m).assign(Nd.cols(dInT, 0, 2L * m));
            Nd.cols(dRecT, 2L * m, 3L * m).assign(dA.muli(r));
            carry = dh.muli(z);
            if (held != null) {
                carry.addi(held);
            }
            Nd.gemmAdd(dRecT, recurrentKernel, carry, false, true);
        }
        weightGrads(dIn, dRec);
        dBias.getRow(0).assign(dIn.sum(0));
        dBias.getRow(1).assign(dRec.sum(0));
        return inputGrad(dIn, needInputGrad);
    }

    @Override
    public Recurrent toLayer(String name, boolean returnSequences) {
        return new Gru(name, inputSize, units, Activation.TANH, Activation.SIGMOID, true, true, returnSequences, false,
                tensor(kernel), tensor(recurrentKernel), tensor(bias));
    }
}
