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
import io.rnnstream.model.layers.Layer;
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
            for (Activation a : l.activations()) {
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
        c.setAll((ObjectNode) JSON.valueToTree(l.kerasConfig()));
    }

    /** One layer's weights, Keras names and order: {@code <layer>/<cell>/kernel:0}, …; null for a layer without. */
    private static LayerWeights weightsOf(Layer l) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : l.kerasWeights().entrySet()) {
            data.put(e.getKey(), e.getValue() instanceof Tensor t ? array(t) : e.getValue());
        }
        return data.isEmpty() ? null : new LayerWeights(l.name(), l.kerasWeightScope(), data);
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
