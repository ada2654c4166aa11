package io.rnnstream.model.layers;

import io.rnnstream.model.StepOps;
import java.util.Map;

/**
 * One layer of a model, seen one timestep at a time. A layer maps a feature vector of
 * {@link #inputSize()} floats at step t to {@link #outputSize()} floats; a recurrent layer also
 * reads and writes its slice of the per-key state.
 */
public abstract class Layer {
    private final String name;

    protected Layer(String name) {
        this.name = name;
    }

    public final String name() {
        return name;
    }

    /** The Keras class name of this layer: "SimpleRNN", "LSTM", "Dense", … */
    public abstract String type();

    /** Features per timestep this layer reads. */
    public abstract int inputSize();

    /** Features per timestep this layer writes. */
    public abstract int outputSize();

    /** Floats of per-key state this layer carries from one step to the next. */
    public int stateSize() {
        return 0;
    }

    /** Trainable parameters, as Keras's {@code model.summary()} counts them. */
    public long paramCount() {
        return 0;
    }

    /** Non-trainable parameters (Normalization's mean, variance and count). */
    public long nonTrainableParamCount() {
        return 0;
    }

    /** Scratch floats {@link #step} needs. */
    public int scratchSize() {
        return 0;
    }

    /** Null when the layer can run one timestep at a time, else why it cannot. */
    public String whyNotCausal() {
        return null;
    }

    /**
     * Advances one timestep.
     *
     * @param x the input, {@link #inputSize()} floats
     * @param state the whole per-key state array
     * @param stateOff where this layer's slice starts
     * @param masked true when an upstream Masking layer masked this timestep: a recurrent layer
     *     leaves its state as it is and repeats its last output
     * @param y receives {@link #outputSize()} floats
     * @param scratch at least {@link #scratchSize()} floats
     */
    public abstract void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch);

    /**
     * {@link #step(float[], float[], int, boolean, float[], float[])} with the matrix products and
     * activations done by {@code ops}; {@link io.rnnstream.model.StepKernel} calls this one. Layers
     * without weights ignore {@code ops}.
     */
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch,
            StepOps ops) {
        step(x, state, stateOff, masked, y, scratch);
    }

    /** The layer's own settings, for the model file and the summary (no weights). */
    public abstract Map<String, Object> config();

    /** The layer's weights by Keras name ("kernel", "recurrent_kernel", "bias", …), in Keras's shapes. */
    public abstract Map<String, Tensor> weights();
}
