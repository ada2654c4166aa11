package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What SimpleRNN, LSTM and GRU share: {@code units} (the size of h, the output per step), a
 * kernel (inputs, gates·units), a recurrent kernel (units, gates·units) and a bias, in Keras's
 * layouts and gate orders.
 */
public abstract class Recurrent extends Layer {
    protected final int inputSize;
    protected final int units;
    protected final Activation activation;
    protected final boolean useBias;
    protected final boolean returnSequences;
    protected final boolean goBackwards;
    /** (inputSize, gates·units), row-major. */
    protected final float[] kernel;
    /** (units, gates·units), row-major. */
    protected final float[] recurrentKernel;
    /** gates·units floats (GRU with reset_after: 2·3·units, input row then recurrent row); null without bias. */
    protected final float[] bias;

    protected Recurrent(String name, int inputSize, int units, Activation activation, boolean useBias,
            boolean returnSequences, boolean goBackwards, Tensor kernel, Tensor recurrentKernel, Tensor bias,
            int[] biasShape) {
        super(name);
        this.inputSize = inputSize;
        this.units = units;
        this.activation = activation;
        this.useBias = useBias;
        this.returnSequences = returnSequences;
        this.goBackwards = goBackwards;
        int g = gates() * units;
        this.kernel = kernel.expectShape(name + "/kernel", inputSize, g).data();
        this.recurrentKernel = recurrentKernel.expectShape(name + "/recurrent_kernel", units, g).data();
        if (useBias) {
            if (bias == null) {
                throw new io.rnnstream.model.ModelException(name + " has use_bias=true but no bias weight");
            }
            this.bias = bias.expectShape(name + "/bias", biasShape).data();
        } else {
            this.bias = null;
        }
    }

    /** 1 for SimpleRNN, 4 for LSTM (i, f, c, o), 3 for GRU (z, r, h). */
    public abstract int gates();

    public int units() {
        return units;
    }

    public Activation activation() {
        return activation;
    }

    public boolean useBias() {
        return useBias;
    }

    public boolean returnSequences() {
        return returnSequences;
    }

    public boolean goBackwards() {
        return goBackwards;
    }

    /** The floats of this layer's state that hold h, its output. */
    public int hiddenOffset() {
        return 0;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int outputSize() {
        return units;
    }

    @Override
    public int stateSize() {
        return units;
    }

    @Override
    public long paramCount() {
        return (long) kernel.length + recurrentKernel.length + (bias == null ? 0 : bias.length);
    }

    @Override
    public String whyNotCausal() {
        return goBackwards
                ? "layer '" + name() + "' has go_backwards=True: it reads a sequence from its last step, which a"
                        + " stream does not have yet"
                : null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("input_size", inputSize);
        c.put("activation", activation.fileName());
        c.put("use_bias", useBias);
        c.put("return_sequences", returnSequences);
        c.put("go_backwards", goBackwards);
        return c;
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        int g = gates() * units;
        w.put("kernel", Tensor.of(kernel, inputSize, g));
        w.put("recurrent_kernel", Tensor.of(recurrentKernel, units, g));
        if (bias != null) {
            w.put("bias", Tensor.of(bias, biasShape()));
        }
        return w;
    }

    protected int[] biasShape() {
        return new int[] {gates() * units};
    }

    /** On a masked step: state untouched, output repeats h (zeros before the first step). */
    protected final void repeatLastOutput(float[] state, int stateOff, float[] y) {
        System.arraycopy(state, stateOff + hiddenOffset(), y, 0, units);
    }
}
