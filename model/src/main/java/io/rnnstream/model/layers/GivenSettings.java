package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import io.rnnstream.model.ModelException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings an importer has already worked out, under the native file's key names: for an importer
 * that maps a graph rather than reading a layer config (ONNX), so that its layers are still built by
 * their {@link LayerType}, as the native file's and Keras's are. Every setting is given: Keras's
 * defaults do not apply.
 */
public final class GivenSettings implements LayerSettings {
    private final String layerName;
    private final Map<String, Object> values;
    private final Map<String, Tensor> weights;

    private GivenSettings(Builder b) {
        this.layerName = b.layerName;
        this.values = Map.copyOf(b.values);
        this.weights = Map.copyOf(b.weights);
    }

    public static Builder builder(String layerName) {
        return new Builder(layerName);
    }

    @Override
    public String layerName() {
        return layerName;
    }

    @Override
    public int kerasMajor() {
        return 3;
    }

    @Override
    public int integer(String key) {
        return (Integer) need(key);
    }

    @Override
    public int inputSize(Tensor kernel) {
        return integer("input_size");
    }

    @Override
    public boolean flag(String key, boolean kerasDefault) {
        return (Boolean) need(key);
    }

    @Override
    public float number(String key, float kerasDefault) {
        return (Float) need(key);
    }

    @Override
    public Activation activation(String key, String kerasDefault) {
        return (Activation) need(key);
    }

    @Override
    public Weights weights(List<String> names) {
        return name -> {
            Tensor t = weights.get(name);
            if (t == null) {
                throw new ModelException("layer '" + layerName + "' has no weight '" + name + "'");
            }
            return t;
        };
    }

    private Object need(String key) {
        Object v = values.get(key);
        if (v == null) {
            // A bug in the importer, not in the file: it must give every setting the layer type reads.
            throw new IllegalStateException("layer '" + layerName + "' was given no '" + key + "'");
        }
        return v;
    }

    /** Named settings, one call each; a builder may be built more than once (one layer per variant). */
    public static final class Builder {
        private final String layerName;
        private final Map<String, Object> values = new HashMap<>();
        private final Map<String, Tensor> weights = new HashMap<>();

        private Builder(String layerName) {
            this.layerName = layerName;
        }

        /** A whole number, a flag, a float or an {@link Activation}, as the layer type reads it. */
        public Builder set(String key, Object value) {
            if (!(value instanceof Integer || value instanceof Boolean || value instanceof Float
                    || value instanceof Activation)) {
                throw new IllegalArgumentException("'" + key + "' must be an int, a boolean, a float or an"
                        + " Activation, not " + value);
            }
            values.put(key, value);
            return this;
        }

        /** A weight; null (a layer without bias) leaves it out. */
        public Builder weight(String name, Tensor value) {
            if (value != null) {
                weights.put(name, value);
            }
            return this;
        }

        public GivenSettings build() {
            return new GivenSettings(this);
        }
    }
}
