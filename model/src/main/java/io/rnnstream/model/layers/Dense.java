package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Kernels;
import java.util.LinkedHashMap;
import java.util.Map;

/** Keras Dense, {@code y = activation(x·W + b)}; applied at every timestep it reads. */
public final class Dense extends Layer {
    private final int inputSize;
    private final int units;
    private final Activation activation;
    private final float[] kernel;
    private final float[] bias;

    public Dense(String name, int inputSize, int units, Activation activation, boolean useBias, Tensor kernel,
            Tensor bias) {
        super(name);
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
    }

    @Override
    public String type() {
        return "Dense";
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
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch) {
        Kernels.init(y, 0, bias, 0, units);
        Kernels.vecMatAdd(x, 0, inputSize, kernel, units, 0, units, y, 0);
        activation.apply(y, 0, units);
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
