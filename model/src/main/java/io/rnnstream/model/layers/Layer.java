package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.StepOps;
import io.rnnstream.model.Summary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One layer of a model, seen one timestep at a time. A layer maps a feature vector of
 * {@link #inputSize()} floats at step t to {@link #outputSize()} floats; a recurrent layer also
 * reads and writes its slice of the per-key state.
 */
public abstract class Layer {
    private final String name;
    private final LayerType layerType;

    protected Layer(String name, LayerType layerType) {
        this.name = name;
        this.layerType = layerType;
    }

    public final String name() {
        return name;
    }

    /** What kind of layer this is: its name, and how a file's settings become one. */
    public final LayerType layerType() {
        return layerType;
    }

    /** The type's name, in the native file and as Keras's class name: "SimpleRNN", "LSTM", "Dense", … */
    public final String type() {
        return layerType().name();
    }

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

    /**
     * One timestep for each of {@code n} keys (none masked): key k reads {@code x[k]}, advances
     * {@code state[k]} and writes {@code y[k]}, with the bits {@link #step} would give it alone. Layers
     * whose products dominate override it to run each product for all keys at once ({@link
     * StepOps#matVecN}); the rest loop.
     *
     * @param scratch n arrays of at least {@link #scratchSize()} floats
     */
    public void stepN(float[][] x, float[][] state, int stateOff, float[][] y, float[][] scratch, StepOps ops, int n) {
        for (int k = 0; k < n; k++) {
            step(x[k], state[k], stateOff, false, y[k], scratch[k], ops);
        }
    }

    /** The layer's own settings, for the model file and the summary (no weights). */
    public abstract Map<String, Object> config();

    /** The layer's weights by Keras name ("kernel", "recurrent_kernel", "bias", …), in Keras's shapes. */
    public abstract Map<String, Tensor> weights();

    /** The activations the layer applies, for exporters that must know whether a file format can say them. */
    public List<Activation> activations() {
        return List.of();
    }

    /** Whether the output still has a timestep axis, given whether the input has one (Keras's output shape). */
    public boolean keepsTimesteps(boolean inputHasTimesteps) {
        return inputHasTimesteps;
    }

    /** What the per-key state holds, e.g. {@code h (64) + c (64)}; null for a layer without state. */
    public String describeState() {
        return null;
    }

    /** How the summary explains the parameter count with this layer's numbers, e.g. {@code 128 × (28 + 128 + 1) = 20,096}. */
    public String explainParams() {
        return Summary.number(paramCount() + nonTrainableParamCount());
    }

    /**
     * The settings of this layer's Keras config beyond name, trainable and dtype, as Keras 2's
     * {@code model.to_json()} writes them; values are numbers, strings, booleans, lists or null.
     */
    public Map<String, Object> kerasConfig() {
        throw new ModelException("cannot write layer '" + name() + "' (" + type() + ") to a Keras file: Keras has no"
                + " such layer; keep the model as a native .rnns file");
    }

    /** Where Keras keeps this layer's weights under its group: the layer name, and for a recurrent layer its cell. */
    public String kerasWeightScope() {
        return name();
    }

    /** The weights as a Keras file holds them, in its order: {@link Tensor}s, or plain numbers Keras keeps beside them. */
    public Map<String, Object> kerasWeights() {
        return new LinkedHashMap<>(weights());
    }
}
