package io.rnnstream.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras Flatten over (timesteps, features): the whole sequence becomes one vector. Offline only:
 * it needs every timestep before it can say anything.
 */
public final class Flatten extends Layer {
    private final int timesteps;
    private final int features;

    public Flatten(String name, int timesteps, int features) {
        super(name);
        this.timesteps = timesteps;
        this.features = features;
    }

    public int timesteps() {
        return timesteps;
    }

    @Override
    public String type() {
        return "Flatten";
    }

    @Override
    public int inputSize() {
        return features;
    }

    @Override
    public int outputSize() {
        return timesteps * features;
    }

    @Override
    public String whyNotCausal() {
        return "layer '" + name() + "' flattens all " + timesteps + " timesteps into one vector, so it has no"
                + " output until the sequence is complete";
    }

    @Override
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch) {
        throw new UnsupportedOperationException(whyNotCausal());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("timesteps", timesteps);
        c.put("features", features);
        return c;
    }

    @Override
    public Map<String, Tensor> weights() {
        return Map.of();
    }
}
