package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Kernels;
import io.rnnstream.model.StepOps;
import io.rnnstream.model.Summary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What SimpleRNN, LSTM and GRU share: {@code units} (the size of h, the output per step), a
 * kernel (inputs, gates·units), a recurrent kernel (units, gates·units) and a bias, in Keras's
 * layouts and gate orders.
 */
public abstract class Recurrent extends Layer {
    private static final List<String> WEIGHTS = List.of("kernel", "recurrent_kernel", "bias");

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

    protected Recurrent(String name, LayerType layerType, int inputSize, int units, Activation activation, boolean useBias,
            boolean returnSequences, boolean goBackwards, Tensor kernel, Tensor recurrentKernel, Tensor bias,
            int[] biasShape) {
        super(name, layerType);
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

    /**
     * {@code z[k] = b + x[k]·W + h[k]·U} for n keys (all gates), each product for every key at once:
     * the batched steps of SimpleRNN and LSTM start here.
     */
    protected final void projectN(float[][] x, float[][] state, int so, float[][] z, StepOps ops, int n) {
        final int g = gates() * units;
        for (int k = 0; k < n; k++) {
            Kernels.init(z[k], 0, bias, 0, g);
        }
        ops.matVecN(x, 0, inputSize, kernel, g, 0, g, z, 0, n);
        ops.matVecN(state, so, units, recurrentKernel, g, 0, g, z, 0, n);
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

    /**
     * The settings SimpleRNN, LSTM and GRU share, read the same way for each; {@code gateActivation} is
     * null for SimpleRNN, {@code bias} null without use_bias.
     */
    static final class Read {
        final String name;
        final int units;
        final Activation activation;
        final Activation gateActivation;
        final boolean useBias;
        final boolean returnSequences;
        final boolean goBackwards;
        final Tensor kernel;
        final int inputSize;
        final Tensor recurrentKernel;
        final Tensor bias;

        Read(LayerSettings s, boolean gated) {
            name = s.layerName();
            units = s.integer("units");
            activation = s.activation("activation", "tanh");
            // Keras 3 changed the default from hard_sigmoid to sigmoid.
            gateActivation = gated
                    ? s.activation("recurrent_activation", s.kerasMajor() >= 3 ? "sigmoid" : "hard_sigmoid")
                    : null;
            useBias = s.flag("use_bias", true);
            returnSequences = s.flag("return_sequences", false);
            goBackwards = s.flag("go_backwards", false);
            LayerSettings.Weights w = s.weights(useBias ? WEIGHTS : WEIGHTS.subList(0, 2));
            kernel = w.get("kernel");
            inputSize = s.inputSize(kernel);
            recurrentKernel = w.get("recurrent_kernel");
            bias = useBias ? w.get("bias") : null;
        }
    }

    /** The recurrent activation of LSTM and GRU (their gates); null for SimpleRNN. */
    protected Activation gateActivation() {
        return null;
    }

    @Override
    public List<Activation> activations() {
        List<Activation> out = new ArrayList<>();
        out.add(activation);
        if (gateActivation() != null) {
            out.add(gateActivation());
        }
        return out;
    }

    @Override
    public boolean keepsTimesteps(boolean inputHasTimesteps) {
        return returnSequences;
    }

    @Override
    public String describeState() {
        return "h (" + units + ")";
    }

    /** Rows of bias per gate column: 0 without bias, 2 for GRU with reset_after. */
    protected int biasRows() {
        return useBias ? 1 : 0;
    }

    /** How {@link #explainParams} names the bias rows. */
    protected String biasWords() {
        return " + bias";
    }

    /** How {@link #explainParams} names the gates, e.g. {@code 4 gates (i, f, c, o) × }; empty for one gate. */
    protected abstract String gateWords();

    @Override
    public String explainParams() {
        int rows = biasRows();
        String gates = gates() == 1 ? "" : gates() + " × ";
        return gates + units + " × (" + inputSize + " + " + units + (rows == 0 ? "" : " + " + rows) + ") = "
                + Summary.number(paramCount()) + "   [" + gateWords() + "units × (inputs + units"
                + (rows == 0 ? "" : biasWords()) + ")]";
    }

    /** The Keras name of the cell whose scope holds the weights: {@code lstm_cell}, … */
    protected abstract String kerasCell();

    @Override
    public String kerasWeightScope() {
        return name() + "/" + kerasCell();
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("return_sequences", returnSequences);
        c.put("return_state", false);
        c.put("go_backwards", goBackwards);
        c.put("stateful", false);
        c.put("unroll", false);
        c.put("time_major", false);
        c.put("units", units);
        c.put("activation", activation.kerasName());
        if (gateActivation() != null) {
            c.put("recurrent_activation", gateActivation().kerasName());
        }
        c.put("use_bias", useBias);
        c.putAll(kerasCellSettings());
        c.put("dropout", 0.0);
        c.put("recurrent_dropout", 0.0);
        return c;
    }

    /** Settings Keras gives only this cell type (written between use_bias and dropout, where Keras puts them). */
    protected Map<String, Object> kerasCellSettings() {
        return Map.of();
    }

    /** On a masked step: state untouched, output repeats h (zeros before the first step). */
    protected final void repeatLastOutput(float[] state, int stateOff, float[] y) {
        System.arraycopy(state, stateOff + hiddenOffset(), y, 0, units);
    }
}
