package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.StepOps;
import io.rnnstream.model.Summary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keras Dense, {@code y = activation(x·W + b)}; applied at every timestep it reads. */
public final class Dense extends Layer {
    public static final LayerType TYPE = new LayerType("Dense", Dense::read);
    private static final List<String> WEIGHTS = List.of("kernel", "bias");

    private final int inputSize;
    private final int units;
    private final Activation activation;
    private final float[] kernel;
    private final float[] bias;
    /**
     * The kernel with each row padded with zero columns to {@link #ld} (a multiple of
     * {@value #PAD}), so the vector kernel runs whole vectors even for a 10-class head; the zero
     * columns add nothing. The same array as {@link #kernel} when no padding is needed.
     */
    private final float[] paddedKernel;
    /** The bias (or zeros) padded to {@link #ld}: where the product starts. */
    private final float[] paddedBias;
    private final int ld;
    /** Columns per padded row are a multiple of this: 16 floats = one AVX-512 vector. */
    static final int PAD = 16;

    public Dense(String name, int inputSize, int units, Activation activation, boolean useBias, Tensor kernel,
            Tensor bias) {
        super(name, TYPE);
        this.inputSize = inputSize;
        this.units = units;
        this.activation = activation;
        this.kernel = kernel.expectShape(name + "/kernel", inputSize, units).data();
        if (useBias) {
            if (bias == null) {
                throw new io.rnnstream.model.ModelException(name + " has use_bias=true but no bias weight");
            }
            this.bias = bias.expectShape(name + "/bias", units).data();
        } else {
            this.bias = null;
        }
        this.ld = (units + PAD - 1) / PAD * PAD;
        if (ld == units) {
            this.paddedKernel = this.kernel;
        } else {
            this.paddedKernel = new float[inputSize * ld];
            for (int i = 0; i < inputSize; i++) {
                System.arraycopy(this.kernel, i * units, paddedKernel, i * ld, units);
            }
        }
        this.paddedBias = new float[ld];
        if (this.bias != null) {
            System.arraycopy(this.bias, 0, paddedBias, 0, units);
        }
    }

    private static Dense read(LayerSettings s) {
        int units = s.integer("units");
        Activation activation = s.activation("activation", "linear");
        boolean useBias = s.flag("use_bias", true);
        LayerSettings.Weights w = s.weights(useBias ? WEIGHTS : WEIGHTS.subList(0, 1));
        Tensor kernel = w.get("kernel");
        return new Dense(s.layerName(), s.inputSize(kernel), units, activation, useBias, kernel,
                useBias ? w.get("bias") : null);
    }

    @Override
    public List<Activation> activations() {
        return List.of(activation);
    }

    @Override
    public String explainParams() {
        boolean b = useBias();
        return units + " × " + (b ? "(" + inputSize + " + 1)" : inputSize) + " = " + Summary.number(paramCount())
                + "   [units × (inputs" + (b ? " + bias" : "") + ")]";
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias());
        return c;
    }

    public int units() {
        return units;
    }

    public Activation activation() {
        return activation;
    }

    public boolean useBias() {
        return bias != null;
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
    public long paramCount() {
        return (long) kernel.length + (bias == null ? 0 : bias.length);
    }

    @Override
    public int scratchSize() {
        return ld;
    }

    @Override
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch) {
        step(x, state, stateOff, masked, y, scratch, StepOps.defaultOps());
    }

    @Override
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] z, StepOps ops) {
        System.arraycopy(paddedBias, 0, z, 0, ld);
        ops.matVec(x, 0, inputSize, paddedKernel, ld, 0, ld, z, 0);
        System.arraycopy(z, 0, y, 0, units);
        ops.apply(activation, y, 0, units);
    }

    @Override
    public void stepN(float[][] x, float[][] state, int stateOff, float[][] y, float[][] z, StepOps ops, int n) {
        for (int k = 0; k < n; k++) {
            System.arraycopy(paddedBias, 0, z[k], 0, ld);
        }
        ops.matVecN(x, 0, inputSize, paddedKernel, ld, 0, ld, z, 0, n);
        for (int k = 0; k < n; k++) {
            System.arraycopy(z[k], 0, y[k], 0, units);
            ops.apply(activation, y[k], 0, units);
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("input_size", inputSize);
        c.put("activation", activation.fileName());
        c.put("use_bias", bias != null);
        return c;
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("kernel", Tensor.of(kernel, inputSize, units));
        if (bias != null) {
            w.put("bias", Tensor.of(bias, units));
        }
        return w;
    }
}
