package io.rnnstream.model.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Dropout;
import io.rnnstream.model.layers.Flatten;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Recurrent;
import io.rnnstream.model.layers.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Model} as a legacy Keras full-model HDF5 file, the layout of Keras 2's
 * {@code model.save("model.h5")}: root attributes {@code keras_version}, {@code backend} and
 * {@code model_config} (a Sequential model's JSON), and group {@code model_weights} with
 * {@code layer_names}, one group per layer that has weights, its {@code weight_names}
 * ({@code lstm/lstm_cell/kernel:0}, …) and the float32 datasets under those names.
 *
 * <p>{@link KerasImport#load(Path)} reads the file back to the same layers and the same float32
 * weights, so {@code Forward.predict} gives identical outputs. Layers without weights (Masking,
 * Dropout, Flatten) appear in the config only: jhdf's writer cannot write an empty group, and
 * Keras's loader only needs the layers that have weights.
 *
 * <p>The file says Keras 2.15 unless a layer uses an activation that only Keras 3 defines
 * ({@code relu6}, Keras 3's {@code hard_sigmoid}); then it says Keras 3.0, so that
 * {@code hard_sigmoid} keeps its meaning for any reader that follows {@code keras_version}. A model
 * that mixes Keras 2's and Keras 3's {@code hard_sigmoid} cannot be one Keras file and is refused.
 */
public final class KerasExport {
    /** The Keras version a file says it was written by, when every activation exists in Keras 2. */
    public static final String KERAS2_VERSION = "2.15.0";
    /** The version written when a layer needs Keras 3's definitions. */
    public static final String KERAS3_VERSION = "3.0.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    private KerasExport() {}

    /** Writes {@code model} to {@code out} (replacing it); fails with a {@link ModelException} saying why. */
    public static void write(Model model, Path out) {
        String version = kerasVersion(model);
        String config = modelConfig(model, version);
        List<LayerWeights> weights = new ArrayList<>();
        for (Layer l : model.layers()) {
            LayerWeights w = weightsOf(l);
            if (w != null) {
                weights.add(w);
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // Written beside the target and moved over it, so that a failure leaves no half-written file.
            Path tmp = Files.createTempFile(parent, "." + out.getFileName(), ".tmp");
            try {
                try (WritableHdfFile f = HdfFile.write(tmp)) {
                    f.putAttribute("keras_version", version);
                    f.putAttribute("backend", "tensorflow");
                    f.putAttribute("model_config", config);
                    WritableGroup mw = f.putGroup("model_weights");
                    mw.putAttribute("keras_version", version);
                    mw.putAttribute("backend", "tensorflow");
                    mw.putAttribute("layer_names", weights.stream().map(w -> w.layer).toArray(String[]::new));
                    for (LayerWeights w : weights) {
                        w.writeTo(mw);
                    }
                }
                Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelException me) {
                throw me;
            }
            throw new ModelException("cannot write the Keras file " + out + ": " + e.getMessage()
                    + "; check that its folder exists and is writable", e);
        }
    }

    /**
     * The {@code keras_version} the file will say: {@value #KERAS2_VERSION}, or {@value #KERAS3_VERSION}
     * when an activation exists only in Keras 3.
     */
    public static String kerasVersion(Model model) {
        String keras2Only = null;
        String keras3Only = null;
        for (Layer l : model.layers()) {
            for (Activation a : activations(l)) {
                if (a == Activation.HARD_SIGMOID) {
                    keras2Only = keras2Only == null ? l.name() : keras2Only;
                } else if (a == Activation.HARD_SIGMOID_KERAS3 || a == Activation.RELU6) {
                    keras3Only = keras3Only == null ? l.name() + "' (" + a.fileName() + ")" : keras3Only;
                }
            }
        }
        if (keras3Only == null) {
            return KERAS2_VERSION;
        }
        if (keras2Only != null) {
            throw new ModelException("cannot write the model as one Keras file: layer '" + keras2Only + "' uses"
                    + " Keras 2's hard_sigmoid and layer '" + keras3Only + " needs Keras 3, whose hard_sigmoid"
                    + " differs; keep it as a native .rnns file");
        }
        return KERAS3_VERSION;
    }

    private static List<Activation> activations(Layer l) {
        List<Activation> out = new ArrayList<>();
        if (l instanceof Recurrent r) {
            out.add(r.activation());
            if (r instanceof Lstm lstm) {
                out.add(lstm.recurrentActivation());
            } else if (r instanceof Gru gru) {
                out.add(gru.recurrentActivation());
            }
        } else if (l instanceof Dense d) {
            out.add(d.activation());
        }
        return out;
    }

    /** The Sequential model's JSON as Keras 2's {@code model.to_json()} writes it (settings rnnstream uses). */
    static String modelConfig(Model model, String version) {
        ObjectNode root = JSON.createObjectNode();
        root.put("class_name", "Sequential");
        ObjectNode config = root.putObject("config");
        config.put("name", model.info().name());
        ArrayNode layers = config.putArray("layers");
        Set<String> names = new HashSet<>();
        for (Layer l : model.layers()) {
            String n = l.name();
            if (n == null || n.isBlank() || n.contains("/")) {
                throw new ModelException("cannot write layer '" + n + "' to a Keras file: a Keras layer name must"
                        + " be non-empty and have no '/'; rename the layer");
            }
            if (!names.add(n)) {
                throw new ModelException("cannot write the model to a Keras file: two layers are named '" + n
                        + "', and Keras needs unique layer names");
            }
        }
        String inputName = "input_1";
        for (int i = 2; names.contains(inputName); i++) {
            inputName = "input_" + i;
        }
        ObjectNode input = layers.addObject();
        input.put("class_name", "InputLayer");
        ObjectNode ic = input.putObject("config");
        ArrayNode shape = ic.putArray("batch_input_shape");
        shape.addNull();
        if (model.timesteps() > 0) {
            shape.add(model.timesteps());
        } else {
            shape.addNull();
        }
        shape.add(model.inputSize());
        ic.put("dtype", "float32");
        ic.put("sparse", false);
        ic.put("ragged", false);
        ic.put("name", inputName);
        for (Layer l : model.layers()) {
            layerConfig(layers.addObject(), l);
        }
        root.put("keras_version", version);
        root.put("backend", "tensorflow");
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void layerConfig(ObjectNode node, Layer l) {
        node.put("class_name", l.type());
        ObjectNode c = node.putObject("config");
        c.put("name", l.name());
        c.put("trainable", true);
        c.put("dtype", "float32");
        if (l instanceof Recurrent r) {
            c.put("return_sequences", r.returnSequences());
            c.put("return_state", false);
            c.put("go_backwards", r.goBackwards());
            c.put("stateful", false);
            c.put("unroll", false);
            c.put("time_major", false);
            c.put("units", r.units());
            c.put("activation", kerasName(r.activation()));
            if (r instanceof Lstm lstm) {
                c.put("recurrent_activation", kerasName(lstm.recurrentActivation()));
            } else if (r instanceof Gru gru) {
                c.put("recurrent_activation", kerasName(gru.recurrentActivation()));
            }
            c.put("use_bias", r.useBias());
            if (r instanceof Lstm) {
                c.put("unit_forget_bias", true);
                c.put("implementation", 2);
            } else if (r instanceof Gru gru) {
                c.put("implementation", 2);
                c.put("reset_after", gru.resetAfter());
            }
            c.put("dropout", 0.0);
            c.put("recurrent_dropout", 0.0);
        } else if (l instanceof Dense d) {
            c.put("units", d.units());
            c.put("activation", kerasName(d.activation()));
            c.put("use_bias", d.useBias());
        } else if (l instanceof Normalization) {
            c.putArray("axis").add(-1);
            c.putNull("mean");
            c.putNull("variance");
            c.put("invert", false);
        } else if (l instanceof Masking m) {
            c.put("mask_value", (double) m.maskValue());
        } else if (l instanceof Dropout) {
            Object rate = l.config().get("rate");
            c.put("rate", rate instanceof Number n ? n.doubleValue() : 0.0);
            c.putNull("noise_shape");
            c.putNull("seed");
        } else if (l instanceof Flatten) {
            c.put("data_format", "channels_last");
        } else {
            throw new ModelException("cannot write layer '" + l.name() + "' (" + l.type() + ") to a Keras file:"
                    + " rnnstream exports SimpleRNN, LSTM, GRU, Dense, Normalization, Masking, Dropout and Flatten");
        }
    }

    /** Keras's name of an activation; Keras 3's hard_sigmoid is "hard_sigmoid" in a Keras 3 file. */
    private static String kerasName(Activation a) {
        return a == Activation.HARD_SIGMOID_KERAS3 ? "hard_sigmoid" : a.fileName();
    }

    /** One layer's weights, Keras names and order: {@code <layer>/<cell>/kernel:0}, … */
    private static LayerWeights weightsOf(Layer l) {
        Map<String, Object> data = new LinkedHashMap<>();
        String scope;
        if (l instanceof Recurrent r) {
            scope = l.name() + "/" + cellName(r);
            for (Map.Entry<String, Tensor> e : l.weights().entrySet()) {
                data.put(e.getKey(), array(e.getValue()));
            }
        } else if (l instanceof Dense) {
            scope = l.name();
            for (Map.Entry<String, Tensor> e : l.weights().entrySet()) {
                data.put(e.getKey(), array(e.getValue()));
            }
        } else if (l instanceof Normalization n) {
            // Keras's adapted form: mean and variance per feature and the number of samples seen (not kept).
            scope = l.name();
            data.put("mean", n.mean());
            data.put("variance", n.variance());
            data.put("count", 0L);
        } else {
            return null;
        }
        return data.isEmpty() ? null : new LayerWeights(l.name(), scope, data);
    }

    private static String cellName(Recurrent r) {
        switch (r.type()) {
            case "SimpleRNN":
                return "simple_rnn_cell";
            case "LSTM":
                return "lstm_cell";
            case "GRU":
                return "gru_cell";
            default:
                throw new ModelException("cannot write layer '" + r.name() + "' (" + r.type() + ") to a Keras file");
        }
    }

    /** A tensor as the nested Java array jhdf writes with the same shape. */
    private static Object array(Tensor t) {
        float[] d = t.data();
        switch (t.rank()) {
            case 1:
                return d.clone();
            case 2: {
                int rows = t.dim(0);
                int cols = t.dim(1);
                float[][] out = new float[rows][cols];
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(d, i * cols, out[i], 0, cols);
                }
                return out;
            }
            default:
                throw new ModelException("cannot write a weight of shape " + java.util.Arrays.toString(t.shape())
                        + " to a Keras file");
        }
    }

    /** A layer's group: {@code weight_names} and, under them, the datasets. */
    private record LayerWeights(String layer, String scope, Map<String, Object> data) {
        void writeTo(WritableGroup modelWeights) {
            WritableGroup g = modelWeights.putGroup(layer);
            List<String> weightNames = new ArrayList<>();
            for (String n : data.keySet()) {
                weightNames.add(scope + "/" + n + ":0");
            }
            g.putAttribute("weight_names", weightNames.toArray(String[]::new));
            WritableGroup inner = g;
            for (String part : scope.split("/")) {
                inner = inner.putGroup(part);
            }
            for (Map.Entry<String, Object> e : data.entrySet()) {
                inner.putDataset(e.getKey() + ":0", e.getValue());
            }
        }
    }
}
