package io.rnnstream.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/** Keras Dropout: identity at inference; kept so that the summary matches the Keras model. */
public final class Dropout extends Layer {
    public static final LayerType TYPE = new LayerType("Dropout",
            s -> new Dropout(s.layerName(), s.integer("size"), s.number("rate", 0f)));

    private final int size;
    private final float rate;

    public Dropout(String name, int size, float rate) {
        super(name, TYPE);
        this.size = size;
        this.rate = rate;
    }

    @Override
    public String explainParams() {
        return "0   [no weights: passes its input through at inference]";
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rate", (double) rate);
        c.put("noise_shape", null);
        c.put("seed", null);
        return c;
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public int outputSize() {
        return size;
    }

    @Override
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch) {
        System.arraycopy(x, 0, y, 0, size);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("size", size);
        c.put("rate", rate);
        return c;
    }

    @Override
    public Map<String, Tensor> weights() {
        return Map.of();
    }
}
