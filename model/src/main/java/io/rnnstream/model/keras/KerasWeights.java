package io.rnnstream.model.keras;

import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Keras model as HDF5 stores them, in either of Keras's two layouts:
 * <ul>
 *   <li>legacy (Keras 2 {@code model.save("x.h5")} / {@code save_weights("x.h5")}): a group per
 *       layer with attribute {@code weight_names} ({@code lstm_1/kernel:0}, …), each naming a
 *       dataset under that group;
 *   <li>Keras 3 ({@code model.weights.h5} in a {@code .keras} archive, {@code save_weights("x.weights.h5")}):
 *       {@code layers/<name>/vars/0, 1, …} in the layer's variable order; a recurrent layer's
 *       variables belong to its cell ({@code layers/<name>/cell/vars}), a wrapper's to its inner
 *       layer ({@code layers/<name>/layer/vars}).
 * </ul>
 */
abstract class KerasWeights {
    protected final String file;

    KerasWeights(String file) {
        this.file = file;
    }

    /** Finds the layout of a weights file: a Keras 2 group with {@code layer_names}, or Keras 3's {@code layers/}. */
    static KerasWeights of(Group root, String file) {
        Node mw = root.getChild("model_weights");
        if (mw instanceof Group g && g.getAttribute("layer_names") != null) {
            return new Legacy(g, file);
        }
        if (root.getAttribute("layer_names") != null) {
            return new Legacy(root, file);
        }
        for (String prefix : new String[] {"layers", "_layer_checkpoint_dependencies"}) {
            if (root.getChild(prefix) instanceof Group g) {
                return new Keras3(g, file);
            }
        }
        throw new ModelException(file + " holds no Keras weights (neither a 'model_weights' group with"
                + " 'layer_names' nor Keras 3's 'layers' group): save the model with model.save()");
    }

    /** True for the Keras 3 layout, which only Keras 3 (and Keras 2.13+'s new format) writes. */
    abstract boolean isKeras3Layout();

    /**
     * The weights of one layer.
     *
     * @param names the Keras names of the layer's variables in the order Keras creates them
     *     ("kernel", "recurrent_kernel", "bias"); the Keras 3 layout stores them by this position
     */
    abstract LayerWeights layer(String layerName, List<String> names);

    /** One layer's weights; {@link #get} fails naming the layer and the weight. */
    static final class LayerWeights {
        private final String file;
        private final String layer;
        private final Map<String, Dataset> byName;

        LayerWeights(String file, String layer, Map<String, Dataset> byName) {
            this.file = file;
            this.layer = layer;
            this.byName = byName;
        }

        boolean has(String name) {
            return byName.containsKey(name);
        }

        Tensor get(String name) {
            Dataset d = byName.get(name);
            if (d == null) {
                throw new ModelException("layer '" + layer + "' has no weight '" + name + "' in " + file
                        + (byName.isEmpty() ? " (it has no weights at all)" : " (it has " + byName.keySet() + ")")
                        + ": the file does not match its model config; re-save the model");
            }
            return toTensor(d, layer + "/" + name);
        }

        /** Null when absent. */
        Tensor getOrNull(String name) {
            return has(name) ? get(name) : null;
        }
    }

    static Tensor toTensor(Dataset d, String what) {
        int[] dims = d.getDimensions();
        checkClaimedSize(d, dims, what);
        Object flat;
        if (dims.length == 0) {
            Object v = d.getData();
            flat = v instanceof Number n ? new double[] {n.doubleValue()} : v;
        } else {
            flat = d.getDataFlat();
        }
        float[] data;
        if (flat instanceof float[] f) {
            data = f;
        } else if (flat instanceof double[] dd) {
            data = new float[dd.length];
            for (int i = 0; i < dd.length; i++) {
                data[i] = (float) dd[i];
            }
        } else {
            throw new ModelException("weight " + what + " has data type " + d.getJavaType().getSimpleName()
                    + ": rnnstream reads float32 or float64 weights");
        }
        return new Tensor(dims.clone(), data);
    }

    /**
     * Deflate's largest ratio (about 1032:1): a compressed dataset's data can exceed the file by no more.
     * Keras writes weights uncompressed; h5py users may not.
     */
    static final long MAX_EXPANSION = 1032;

    /**
     * jhdf allocates what a dataset's header claims before it reads a byte of it, so a damaged file that
     * claims gigabytes would get them (or an out-of-memory error). The claim is checked against the file's
     * length first: the data must fit in it (times deflate's ratio when the dataset is filtered).
     */
    static void checkClaimedSize(Dataset d, int[] dims, String what) {
        long fileBytes = d.getHdfFile().size();
        long elements = 1;
        long bytes;
        try {
            for (int n : dims) {
                elements = Math.multiplyExact(elements, (long) n);
            }
            bytes = Math.multiplyExact(elements, (long) Math.max(1, d.getDataType().getSize()));
        } catch (ArithmeticException overflow) {
            bytes = Long.MAX_VALUE;
        }
        long limit = d.getFilters().isEmpty() ? fileBytes : Math.multiplyExact(fileBytes, MAX_EXPANSION);
        if (elements < 0 || elements > Integer.MAX_VALUE - 8 || bytes > limit) {
            throw new ModelException("weight " + what + " claims shape " + Arrays.toString(dims) + " ("
                    + (bytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(bytes)) + " bytes) in a " + fileBytes
                    + "-byte file: the file is damaged or truncated; copy or save it again");
        }
    }

    /** Keras 2's layout: {@code weight_names} per layer group. */
    static final class Legacy extends KerasWeights {
        private final Group group;

        Legacy(Group group, String file) {
            super(file);
            this.group = group;
        }

        @Override
        boolean isKeras3Layout() {
            return false;
        }

        /** The order of the layers in the file, as {@code layer_names} lists them. */
        List<String> layerNames() {
            return strings(group.getAttribute("layer_names"));
        }

        @Override
        LayerWeights layer(String layerName, List<String> names) {
            Map<String, Dataset> byName = new LinkedHashMap<>();
            if (!(group.getChild(layerName) instanceof Group lg)) {
                return new LayerWeights(file, layerName, byName);
            }
            List<String> weightNames = strings(lg.getAttribute("weight_names"));
            List<Dataset> ordered = new ArrayList<>();
            for (String wn : weightNames) {
                Node n;
                try {
                    n = lg.getByPath(wn);
                } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
                    n = null;
                }
                if (!(n instanceof Dataset d)) {
                    throw new ModelException("layer '" + layerName + "' lists weight '" + wn + "' but " + file
                            + " has no such dataset: the file is damaged; re-save the model");
                }
                ordered.add(d);
                byName.putIfAbsent(shortName(wn), d);
            }
            // Names that do not say what they are (a custom scope) fall back to Keras's creation order.
            boolean named = names.stream().anyMatch(byName::containsKey);
            if (!named && ordered.size() == names.size()) {
                byName.clear();
                for (int i = 0; i < names.size(); i++) {
                    byName.put(names.get(i), ordered.get(i));
                }
            }
            return new LayerWeights(file, layerName, byName);
        }

        /** "lstm_1/lstm_cell/kernel:0" → "kernel". */
        static String shortName(String weightName) {
            String s = weightName.substring(weightName.lastIndexOf('/') + 1);
            int colon = s.lastIndexOf(':');
            return colon > 0 ? s.substring(0, colon) : s;
        }
    }

    /** Keras 3's layout: {@code layers/<name>/[cell/|layer/]vars/<i>}. */
    static final class Keras3 extends KerasWeights {
        private final Group layers;

        Keras3(Group layers, String file) {
            super(file);
            this.layers = layers;
        }

        @Override
        boolean isKeras3Layout() {
            return true;
        }

        @Override
        LayerWeights layer(String layerName, List<String> names) {
            Map<String, Dataset> byName = new LinkedHashMap<>();
            if (layers.getChild(layerName) instanceof Group lg) {
                List<Dataset> vars = vars(lg);
                if (vars.size() > names.size()) {
                    throw new ModelException("layer '" + layerName + "' has " + vars.size() + " weights in " + file
                            + " but its config needs " + names.size() + " (" + names + "): the file does not"
                            + " match its model config");
                }
                for (int i = 0; i < vars.size(); i++) {
                    byName.put(names.get(i), vars.get(i));
                }
            }
            return new LayerWeights(file, layerName, byName);
        }

        private static List<Dataset> vars(Group layer) {
            for (String sub : new String[] {"vars", "cell/vars", "layer/vars", "layer/cell/vars"}) {
                Node n;
                try {
                    n = layer.getByPath(sub);
                } catch (RuntimeException e) {
                    continue;
                }
                if (n instanceof Group g && !g.getChildren().isEmpty()) {
                    List<Dataset> out = new ArrayList<>();
                    List<String> keys = new ArrayList<>(g.getChildren().keySet());
                    keys.sort(Comparator.comparingInt(Keras3::index));
                    for (String k : keys) {
                        if (g.getChild(k) instanceof Dataset d) {
                            out.add(d);
                        }
                    }
                    return out;
                }
            }
            return List.of();
        }

        private static int index(String key) {
            try {
                return Integer.parseInt(key);
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
    }

    /** Reads a string or string-array attribute, variable-length or fixed-length; empty when absent or empty. */
    static List<String> strings(Attribute a) {
        if (a == null || a.isEmpty()) {
            return List.of();
        }
        Object data = a.getData();
        List<String> out = new ArrayList<>();
        collect(data, out);
        return out;
    }

    private static void collect(Object data, List<String> out) {
        if (data == null) {
            return;
        }
        if (data instanceof String s) {
            out.add(trimNul(s));
        } else if (data instanceof byte[] b) {
            out.add(trimNul(new String(b, java.nio.charset.StandardCharsets.UTF_8)));
        } else if (data instanceof Object[] arr) {
            for (Object o : arr) {
                collect(o, out);
            }
        } else {
            out.add(String.valueOf(data));
        }
    }

    /** A single string attribute, or null when absent. */
    static String string(Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a == null) {
            return null;
        }
        List<String> s = strings(a);
        return s.isEmpty() ? null : s.get(0);
    }

    private static String trimNul(String s) {
        int end = s.indexOf('\0');
        return end >= 0 ? s.substring(0, end) : s;
    }

    static String describe(int[] shape) {
        return Arrays.toString(shape);
    }
}
