package io.rnnstream.model;

import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Flatten;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Recurrent;
import java.util.ArrayList;
import java.util.List;

/**
 * A sequence model: a chain of layers applied to (timesteps, features) input, one timestep at a
 * time. Immutable and shareable between threads; each thread runs it through its own
 * {@link StepKernel}.
 */
public final class Model {
    private final ModelInfo info;
    private final int timesteps;
    private final List<Layer> layers;
    private final int[] stateOffsets;
    private final int stateSize;
    private volatile String sha256;

    /**
     * @param timesteps the input length the model was built for, or -1 when any length goes
     *     (Keras's {@code None})
     */
    public Model(ModelInfo info, int timesteps, List<Layer> layers) {
        this.info = info;
        this.timesteps = timesteps;
        this.layers = List.copyOf(layers);
        if (this.layers.isEmpty()) {
            throw new ModelException("the model has no layers");
        }
        this.stateOffsets = new int[this.layers.size()];
        int off = 0;
        for (int i = 0; i < this.layers.size(); i++) {
            stateOffsets[i] = off;
            off += this.layers.get(i).stateSize();
        }
        this.stateSize = off;
        validateChain();
    }

    private void validateChain() {
        boolean sequence = true;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (i > 0) {
                Layer prev = layers.get(i - 1);
                if (prev.outputSize() != l.inputSize()) {
                    throw new ModelException("layer '" + l.name() + "' expects " + l.inputSize()
                            + " features per step but layer '" + prev.name() + "' gives " + prev.outputSize());
                }
            }
            if (l instanceof Recurrent r) {
                if (!sequence) {
                    throw new ModelException("recurrent layer '" + l.name() + "' needs a sequence, but the layer"
                            + " before it returns only its last step: set return_sequences=True on every"
                            + " recurrent layer except the last");
                }
                sequence = r.returnSequences();
            } else if (l instanceof Flatten) {
                if (!sequence) {
                    throw new ModelException("layer '" + l.name() + "' flattens timesteps, but its input has none");
                }
                sequence = false;
            }
        }
    }

    public ModelInfo info() {
        return info;
    }

    public Model withInfo(ModelInfo newInfo) {
        return new Model(newInfo, timesteps, layers);
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The input length the model was built for, or -1 when any length goes. */
    public int timesteps() {
        return timesteps;
    }

    /** D: features per timestep the model reads. */
    public int inputSize() {
        return layers.get(0).inputSize();
    }

    /** K: floats the model writes per timestep (the head's units). */
    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /** Floats of state kept per key: every recurrent layer's h, and an LSTM's c too. */
    public int stateSize() {
        return stateSize;
    }

    public int stateOffset(int layerIndex) {
        return stateOffsets[layerIndex];
    }

    /** The last recurrent layer's index, or -1 when there is none. */
    public int topRecurrentIndex() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i) instanceof Recurrent) {
                return i;
            }
        }
        return -1;
    }

    /**
     * True when Keras's {@code predict} returns (N, T, K): the last recurrent layer has
     * {@code return_sequences=True} and nothing flattens time after it.
     */
    public boolean outputIsSequence() {
        boolean sequence = true;
        for (Layer l : layers) {
            if (l instanceof Recurrent r) {
                sequence = r.returnSequences();
            } else if (l instanceof Flatten) {
                sequence = false;
            }
        }
        return sequence;
    }

    /** Null when the model can run one event at a time, else why not (go_backwards, Flatten). */
    public String whyNotCausal() {
        for (Layer l : layers) {
            String why = l.whyNotCausal();
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** The head's activation, when the model ends in a Dense layer. */
    public Activation headActivation() {
        Layer last = layers.get(layers.size() - 1);
        return last instanceof Dense d ? d.activation() : null;
    }

    public long paramCount() {
        long n = 0;
        for (Layer l : layers) {
            n += l.paramCount() + l.nonTrainableParamCount();
        }
        return n;
    }

    public long trainableParamCount() {
        long n = 0;
        for (Layer l : layers) {
            n += l.paramCount();
        }
        return n;
    }

    /** SHA-256 of the model's native-file encoding, in hex. */
    public String sha256() {
        String s = sha256;
        if (s == null) {
            s = ModelFile.sha256Hex(this);
            sha256 = s;
        }
        return s;
    }

    /** The id written on every output: name, version and the first 12 hex digits of the SHA-256. */
    public String id() {
        return info.name() + "@" + info.version() + "-" + sha256().substring(0, 12);
    }

    /** Describes the layer types, e.g. "SimpleRNN(128) → Dense(10, softmax)". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Layer l : layers) {
            if (l instanceof Recurrent r) {
                parts.add(l.type() + "(" + r.units() + ")");
            } else if (l instanceof Dense d) {
                parts.add("Dense(" + d.units() + ", " + d.activation().fileName() + ")");
            } else {
                parts.add(l.type());
            }
        }
        return String.join(" → ", parts);
    }

    @Override
    public String toString() {
        return id() + " " + describe();
    }
}
