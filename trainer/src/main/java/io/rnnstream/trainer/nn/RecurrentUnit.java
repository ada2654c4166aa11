package io.rnnstream.trainer.nn;

import io.rnnstream.model.layers.Recurrent;
import io.rnnstream.model.layers.Tensor;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One trainable recurrent layer over a whole {@link Batch}: a forward pass that keeps what the
 * backward pass (BPTT) needs, in Keras's weight layouts, so that {@link #toLayer} hands the model
 * core exactly the weights it trained. Input projections and weight gradients are one GEMM over
 * all T·B rows; only the recurrence itself steps through time, one (B, M)·(M, G·M) GEMM per step.
 *
 * <p>Masking: at a padded step the new state is {@code h_prev + m ⊙ (h_new − h_prev)}, so a
 * padded step keeps h (and c) and adds nothing to any gradient.
 */
public abstract class RecurrentUnit {
    protected final int inputSize;
    protected final int units;
    /** (D, G·M). */
    protected final INDArray kernel;
    /** (M, G·M). */
    protected final INDArray recurrentKernel;
    /** (G·M), or (2, 3·M) for GRU. */
    protected final INDArray bias;
    protected final INDArray dKernel;
    protected final INDArray dRecurrentKernel;
    protected final INDArray dBias;

    // The forward pass's record of the last batch, for backward.
    protected Batch batch;
    protected INDArray input;
    /** ((T+1)·B, M): block 0 is the zero initial state, block t+1 is h after step t. */
    protected INDArray hAll;
    protected INDArray invMask;
    private INDArray[] hBlocks;
    private INDArray output;
    private int shapeSteps = -1;
    private int shapeSize = -1;

    protected RecurrentUnit(int inputSize, int units, float[] kernel, float[] recurrentKernel, float[] bias,
            long[] biasShape) {
        this.inputSize = inputSize;
        this.units = units;
        int g = gates() * units;
        this.kernel = Nd.of(kernel, inputSize, g);
        this.recurrentKernel = Nd.of(recurrentKernel, units, g);
        this.bias = Nd.of(bias, biasShape);
        this.dKernel = Nd.zeros(inputSize, g);
        this.dRecurrentKernel = Nd.zeros(units, g);
        this.dBias = Nd.zeros(biasShape);
    }

    /** Keras's defaults: glorot_uniform kernel, orthogonal recurrent kernel, zero bias (LSTM: forget bias 1). */
    public static RecurrentUnit create(LayerSpec.Type type, int inputSize, int units, Random rnd) {
        return switch (type) {
            case SIMPLE_RNN -> new SimpleRnnUnit(inputSize, units, rnd);
            case LSTM -> new LstmUnit(inputSize, units, rnd);
            case GRU -> new GruUnit(inputSize, units, rnd);
        };
    }

    public abstract int gates();

    /** The Keras class name. */
    public abstract String type();

    /** Keras's default layer name stem: simple_rnn, lstm, gru. */
    public abstract String kerasName();

    public int units() {
        return units;
    }

    public int inputSize() {
        return inputSize;
    }

    /**
     * Runs the batch through the layer.
     *
     * @param x (T·B, D), time-major
     * @return (T·B, M): h after every step (a padded step repeats the last real h)
     */
    public final INDArray forward(Batch b, INDArray x) {
        this.batch = b;
        this.input = x;
        // The state buffer and its per-step views live as long as batches keep their shape: a step
        // is a handful of small ND4J ops, and allocating and slicing anew each time cost as much as
        // the arithmetic. Block 0 stays zero; every other block is overwritten by each forward pass.
        if (hAll == null || b.steps() != shapeSteps || b.size() != shapeSize || hAll.dataType() != Nd.type()) {
            shapeSteps = b.steps();
            shapeSize = b.size();
            hAll = Nd.zeros((long) (b.steps() + 1) * b.size(), units);
            hBlocks = blocks(hAll, b.steps() + 1, b.size());
            output = Nd.rows(hAll, b.size(), (long) (b.steps() + 1) * b.size());
            reshaped(b);
        }
        this.invMask = b.mask() == null ? null : b.mask().rsub(1.0);
        forwardSteps(b, x);
        return output;
    }

    /** Called when a batch of a new shape (steps, size, data type) arrives: reallocate reused buffers. */
    protected void reshaped(Batch b) {}

    /** The row blocks {@code [t·B, (t+1)·B)} of {@code m}, t < n, as views. */
    protected static INDArray[] blocks(INDArray m, int n, int size) {
        INDArray[] out = new INDArray[n];
        for (int t = 0; t < n; t++) {
            out[t] = Nd.rows(m, (long) t * size, (long) (t + 1) * size);
        }
        return out;
    }

    /** h after the last step, (B, M): for a padded sequence, its last real step's. */
    public final INDArray lastOutput() {
        return hBlocks[batch.steps()];
    }

    protected abstract void forwardSteps(Batch b, INDArray x);

    /**
     * Back-propagates through time, setting the weight gradients (overwritten, not accumulated).
     *
     * @param dOut (T·B, M): the loss's gradient with respect to each step's output
     * @return the gradient with respect to the input (T·B, D), or null when not {@code needInputGrad}
     */
    public abstract INDArray backward(INDArray dOut, boolean needInputGrad);

    protected final INDArray hBlock(int t) {
        return hBlocks[t];
    }

    protected final INDArray block(INDArray m, int t) {
        return Nd.rows(m, (long) t * batch.size(), (long) (t + 1) * batch.size());
    }

    /** Writes {@code hNew} into state block t+1, holding the previous state where the step is padding. */
    protected final void store(INDArray target, INDArray prev, INDArray value, INDArray mask) {
        if (mask == null) {
            target.assign(value);
        } else {
            target.assign(value.sub(prev).muliColumnVector(mask).addi(prev));
        }
    }

    /** Weight gradients that are one GEMM over all steps: dW = Xᵀ·dIn, dU = H_prevᵀ·dRec. */
    protected final void weightGrads(INDArray dIn, INDArray dRec) {
        Nd.gemmSet(input, dIn, dKernel, true, false);
        INDArray hPrev = Nd.rows(hAll, 0, (long) batch.steps() * batch.size());
        Nd.gemmSet(hPrev, dRec, dRecurrentKernel, true, false);
    }

    protected final INDArray inputGrad(INDArray dIn, boolean need) {
        if (!need) {
            return null;
        }
        INDArray dx = Nd.zeros((long) batch.steps() * batch.size(), inputSize);
        Nd.gemmSet(dIn, kernel, dx, false, true);
        return dx;
    }

    public List<INDArray> params() {
        return List.of(kernel, recurrentKernel, bias);
    }

    public List<INDArray> grads() {
        return List.of(dKernel, dRecurrentKernel, dBias);
    }

    /** The model-core layer with these weights. */
    public abstract Recurrent toLayer(String name, boolean returnSequences);

    protected final Tensor tensor(INDArray a) {
        long[] s = a.shape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = (int) s[i];
        }
        return Tensor.of(Nd.floats(a), shape);
    }
}
