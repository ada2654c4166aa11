package io.rnnstream.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras Masking: a timestep whose features all equal {@code mask_value} is skipped by the
 * recurrent layers after it (their state stays, their output repeats). Passes its input through.
 */
public final class Masking extends Layer {
    public static final LayerType TYPE = new LayerType("Masking",
            s -> new Masking(s.layerName(), s.integer("size"), s.number("mask_value", 0f)));

    private final int size;
    private final float maskValue;

    public Masking(String name, int size, float maskValue) {
        super(name, TYPE);
        this.size = size;
        this.maskValue = maskValue;
    }

    public float maskValue() {
        return maskValue;
    }

    /** True when every feature equals the mask value (Keras: {@code any(x != mask_value)} is false). */
    public boolean isMasked(float[] x) {
        for (int i = 0; i < size; i++) {
            if (x[i] != maskValue) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String explainParams() {
        return "0   [no weights: a step whose features all equal " + maskValue
                + " is skipped by the recurrent layers after it]";
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("mask_value", (double) maskValue);
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
        // Keras multiplies masked timesteps by zero; the recurrent layers never read them anyway.
        if (isMasked(x)) {
            java.util.Arrays.fill(y, 0, size, 0f);
        } else {
            System.arraycopy(x, 0, y, 0, size);
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("size", size);
        c.put("mask_value", maskValue);
        return c;
    }

    @Override
    public Map<String, Tensor> weights() {
        return Map.of();
    }
}
