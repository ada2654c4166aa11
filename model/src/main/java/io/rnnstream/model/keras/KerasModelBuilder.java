package io.rnnstream.model.keras;

import static io.rnnstream.model.keras.KerasConfig.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.model.Activation;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.LayerSettings;
import io.rnnstream.model.layers.LayerType;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns the layer configs of a Keras chain plus their weights into rnnstream layers. */
final class KerasModelBuilder {
    static final String SUPPORTED = "InputLayer, SimpleRNN, LSTM, GRU, Dense, TimeDistributed(Dense), Masking,"
            + " Normalization, Dropout, Flatten and Activation (folded into the Dense before it)";

    private final String file;
    private final KerasWeights weights;
    private final int kerasMajor;
    private final List<Layer> layers = new ArrayList<>();
    /** Features per step the next layer reads, or -1 until a shape or a kernel says. */
    private int features = -1;
    /** Input timesteps, or -1 when any length goes. */
    private int timesteps = -1;
    private boolean shapeKnown;
    /** True while the data is still (timesteps, features); false after a last-step recurrent layer or Flatten. */
    private boolean sequence = true;

    KerasModelBuilder(String file, KerasWeights weights, int kerasMajor) {
        this.file = file;
        this.weights = weights;
        this.kerasMajor = kerasMajor;
    }

    List<Layer> layers() {
        return layers;
    }

    int timesteps() {
        return timesteps;
    }

    void add(JsonNode layer) {
        String cls = text(layer, "class_name");
        JsonNode c = layer.get("config");
        String name = KerasConfig.layerName(layer);
        if (cls == null || c == null) {
            throw new ModelException(file + ": layer '" + name + "' has no class_name/config in its model config");
        }
        if (c.has("output_dim") && !c.has("units")) {
            throw new ModelException(file + ": layer '" + name + "' uses Keras 1's config (output_dim): rnnstream"
                    + " reads Keras 2 and 3 files; re-save the model with Keras 2 or later");
        }
        readInputShape(layer, c, name);
        switch (cls) {
            case "InputLayer":
                return;
            case "TimeDistributed": {
                JsonNode inner = c.get("layer");
                String innerCls = text(inner, "class_name");
                if (!"Dense".equals(innerCls)) {
                    throw new ModelException("layer '" + name + "' is TimeDistributed(" + innerCls + "): rnnstream"
                            + " supports TimeDistributed only around Dense");
                }
                // Keras applies a Dense to the last axis anyway: the wrapper adds nothing at inference.
                add(Dense.TYPE, new Settings(name, innerCls, inner.get("config")));
                return;
            }
            case "Normalization":
                normalization(name, c);
                return;
            case "Flatten":
                if (!sequence) {
                    // Flatten of (batch, features) is the identity: nothing to add.
                    return;
                }
                break;
            case "Activation":
                activation(name, c);
                return;
            case "Bidirectional":
                throw new ModelException("layer '" + name + "' is Bidirectional, which rnnstream does not support:"
                        + " its backward half reads each sequence from its last step, which a stream does not have"
                        + " yet. Use a unidirectional recurrent layer");
            case "Sequential":
            case "Functional":
            case "Model":
                throw new ModelException("layer '" + name + "' is a nested " + cls + " model, which rnnstream does"
                        + " not import: rebuild the model as one flat Sequential or functional chain");
            default:
                break;
        }
        LayerType type = LayerType.byName(cls);
        if (type == null) {
            throw new ModelException("layer '" + name + "' has type " + cls + ", which rnnstream cannot import;"
                    + " supported layer types: " + SUPPORTED);
        }
        if (c.path("return_state").asBoolean(false)) {
            throw new ModelException("layer '" + name + "' has return_state=True, which rnnstream does not support:"
                    + " the model's output must be the layer's output");
        }
        if (c.path("time_major").asBoolean(false)) {
            throw new ModelException("layer '" + name + "' has time_major=True, which rnnstream does not support");
        }
        // c.stateful is ignored on purpose: the caller (the stream, or predict's caller) owns the state.
        add(type, new Settings(name, cls, c));
    }

    private void add(LayerType type, Settings settings) {
        Layer l = type.read(settings);
        layers.add(l);
        features = l.outputSize();
        sequence = l.keepsTimesteps(sequence);
    }

    private void readInputShape(JsonNode layer, JsonNode c, String name) {
        if (shapeKnown) {
            return;
        }
        JsonNode shape = c.get("batch_input_shape");
        if (shape == null || shape.isNull()) {
            shape = c.get("batch_shape");
        }
        if ((shape == null || shape.isNull()) && layers.isEmpty()) {
            // Keras 3 records the shape a layer was built with.
            JsonNode build = layer.path("build_config").get("input_shape");
            if (build != null && build.isArray()) {
                shape = build;
            }
        }
        if (shape == null || shape.isNull() || !shape.isArray()) {
            return;
        }
        if (shape.size() != 3) {
            throw new ModelException("layer '" + name + "' takes input of shape " + shape + ", not (batch, timesteps,"
                    + " features): rnnstream runs sequence models on 3-D input");
        }
        timesteps = shape.get(1).isNull() ? -1 : shape.get(1).asInt();
        if (!shape.get(2).isNull()) {
            features = shape.get(2).asInt();
        }
        shapeKnown = true;
    }

    private int needFeatures(String name) {
        if (features < 0) {
            throw new ModelException("layer '" + name + "' needs to know the number of input features, but the model"
                    + " config gives no input shape: build the model with an Input(shape=(timesteps, features))");
        }
        return features;
    }

    private Activation activation(String name, JsonNode c, String key, String dflt) {
        JsonNode a = c.get(key);
        String n;
        if (a == null || a.isNull()) {
            n = dflt;
        } else if (a.isTextual()) {
            n = a.asText();
        } else {
            throw new ModelException("layer '" + name + "' has a custom " + key + " " + a + ": rnnstream supports"
                    + " Keras's built-in activations by name");
        }
        try {
            return Activation.fromKeras(n, kerasMajor);
        } catch (ModelException e) {
            throw new ModelException("layer '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The input size: what the layer before gives, else (first layer, no shape in the config) the kernel's rows. */
    private int inputSizeFor(String name, Tensor kernel) {
        if (features >= 0) {
            return features;
        }
        if (kernel.rank() != 2) {
            throw new ModelException("layer '" + name + "' has a kernel of shape " + KerasWeights.describe(kernel.shape())
                    + ", not 2-D");
        }
        features = kernel.dim(0);
        return features;
    }

    private void normalization(String name, JsonNode c) {
        if (c.path("invert").asBoolean(false)) {
            throw new ModelException("layer '" + name + "' is Normalization(invert=True), which rnnstream does not"
                    + " support: it only standardises inputs");
        }
        JsonNode axis = c.get("axis");
        if (axis != null && !axis.isNull()) {
            JsonNode a = axis.isArray() && axis.size() == 1 ? axis.get(0) : axis;
            if (!(a.isInt() && (a.asInt() == -1 || a.asInt() == 2))) {
                throw new ModelException("layer '" + name + "' normalizes over axis " + axis + ": rnnstream supports"
                        + " Normalization(axis=-1), one mean and variance per feature");
            }
        }
        float[] mean;
        float[] variance;
        JsonNode cm = c.get("mean");
        JsonNode cv = c.get("variance");
        if (cm != null && !cm.isNull() && cv != null && !cv.isNull()) {
            mean = floats(cm);
            variance = floats(cv);
        } else {
            KerasWeights.LayerWeights w = weights.layer(name, List.of("mean", "variance", "count"));
            mean = w.get("mean").data();
            variance = w.get("variance").data();
        }
        int d = features >= 0 ? features : mean.length;
        features = d;
        Map<String, Tensor> values = Map.of("mean", Tensor.of(broadcast(name, "mean", mean, d), d),
                "variance", Tensor.of(broadcast(name, "variance", variance, d), d));
        add(Normalization.TYPE, new Settings(name, "Normalization", c) {
            @Override
            public Weights weights(List<String> names) {
                return values::get;
            }
        });
    }

    private static float[] broadcast(String name, String what, float[] v, int d) {
        if (v.length == d) {
            return v;
        }
        if (v.length == 1) {
            float[] out = new float[d];
            java.util.Arrays.fill(out, v[0]);
            return out;
        }
        throw new ModelException("layer '" + name + "' has " + v.length + " " + what + " values but its input has " + d
                + " features");
    }

    private static float[] floats(JsonNode n) {
        List<Float> out = new ArrayList<>();
        collectFloats(n, out);
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = out.get(i);
        }
        return f;
    }

    private static void collectFloats(JsonNode n, List<Float> out) {
        if (n.isArray()) {
            n.forEach(x -> collectFloats(x, out));
        } else {
            out.add((float) n.asDouble());
        }
    }

    private void activation(String name, JsonNode c) {
        Activation a = activation(name, c, "activation", "linear");
        if (a == Activation.LINEAR) {
            return;
        }
        Layer prev = layers.isEmpty() ? null : layers.get(layers.size() - 1);
        if (prev instanceof Dense d && d.activation() == Activation.LINEAR) {
            Tensor kernel = d.weights().get("kernel");
            Tensor bias = d.weights().get("bias");
            layers.set(layers.size() - 1, new Dense(d.name(), d.inputSize(), d.units(), a, d.useBias(), kernel, bias));
            return;
        }
        throw new ModelException("layer '" + name + "' is Activation(" + a.fileName() + ") after "
                + (prev == null ? "the input" : "layer '" + prev.name() + "' (" + prev.type() + ")")
                + ": rnnstream imports an Activation layer only right after a Dense layer with linear activation;"
                + " put the activation into a layer's activation= argument instead");
    }

    /**
     * A Keras layer config read by the names the native file uses: Keras's defaults where the config
     * leaves a setting out, the sizes from the layers before (Keras infers them from the input shape),
     * the weights from the file's weight groups.
     */
    private class Settings implements LayerSettings {
        private final String name;
        private final String cls;
        private final JsonNode config;

        Settings(String name, String cls, JsonNode config) {
            this.name = name;
            this.cls = cls;
            this.config = config;
        }

        @Override
        public String layerName() {
            return name;
        }

        @Override
        public int kerasMajor() {
            return kerasMajor;
        }

        @Override
        public int integer(String key) {
            switch (key) {
                case "size":
                case "features":
                    return needFeatures(name);
                case "timesteps":
                    if (timesteps < 0) {
                        throw new ModelException("layer '" + name + "' flattens the timesteps, so it needs a fixed"
                                + " input length, but the model's input length is None: build the model with"
                                + " Input(shape=(T, features))");
                    }
                    return timesteps;
                default:
                    if (!config.has(key)) {
                        throw new ModelException("layer '" + name + "' (" + cls + ") has no '" + key + "' in its"
                                + " config");
                    }
                    return config.get(key).asInt();
            }
        }

        @Override
        public int inputSize(Tensor kernel) {
            return inputSizeFor(name, kernel);
        }

        @Override
        public boolean flag(String key, boolean kerasDefault) {
            return config.path(key).asBoolean(kerasDefault);
        }

        @Override
        public float number(String key, float kerasDefault) {
            return (float) config.path(key).asDouble(kerasDefault);
        }

        @Override
        public Activation activation(String key, String kerasDefault) {
            return KerasModelBuilder.this.activation(name, config, key, kerasDefault);
        }

        @Override
        public Weights weights(List<String> names) {
            return weights.layer(name, names)::get;
        }
    }
}
