package io.rnnstream.model.layers;

import io.rnnstream.model.Summary;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras Flatten over (timesteps, features): the whole sequence becomes one vector. Offline only:
 * it needs every timestep before it can say anything.
 */
public final class Flatten extends Layer {
    public static final LayerType TYPE = new LayerType("Flatten",
            s -> new Flatten(s.layerName(), s.integer("timesteps"), s.integer("features")));

    private final int timesteps;
    private final int features;

    public Flatten(String name, int timesteps, int features) {
        super(name, TYPE);
        this.timesteps = timesteps;
        this.features = features;
    }

    public int timesteps() {
        return timesteps;
    }

    @Override
    public boolean keepsTimesteps(boolean inputHasTimesteps) {
        return false;
    }

    @Override
    public String explainParams() {
        return "0   [no weights: joins " + timesteps + " steps × " + features + " features into "
                + Summary.number(outputSize()) + "]";
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data_format", "channels_last");
        return c;
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
