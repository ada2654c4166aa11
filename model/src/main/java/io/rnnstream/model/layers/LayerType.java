package io.rnnstream.model.layers;

import io.rnnstream.model.ModelException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a layer type is, in one place: its name (the same in the native file and in Keras), and how
 * its settings and weights become a layer, whoever reads them (the native file, a Keras file). What a
 * layer of the type says about itself (its settings for the file, its Keras config, how the summary
 * explains its parameter count) is in its {@link Layer} class, beside its step. A new layer type is a
 * {@link Layer} subclass with a {@code TYPE} and one line in {@link Known#ALL}.
 */
public final class LayerType {
    private final String name;
    private final Function<LayerSettings, Layer> reader;

    LayerType(String name, Function<LayerSettings, Layer> reader) {
        this.name = name;
        this.reader = reader;
    }

    /** The type's name in the native file and its Keras class name: "SimpleRNN", "LSTM", "Dense", … */
    public String name() {
        return name;
    }

    /** Builds a layer of this type from what a reader found. */
    public Layer read(LayerSettings settings) {
        return reader.apply(settings);
    }

    /** The type called {@code name}, or null when this build has none. */
    public static LayerType byName(String name) {
        return Known.BY_NAME.get(name);
    }

    /** The type called {@code name}; fails saying which types there are. */
    public static LayerType of(String name) {
        LayerType t = byName(name);
        if (t == null) {
            throw new ModelException("unknown layer type '" + name + "'; this rnnstream reads " + names()
                    + ": upgrade rnnstream to read this file");
        }
        return t;
    }

    /** "SimpleRNN, LSTM, …, Dropout and Flatten". */
    public static String names() {
        List<String> n = List.copyOf(Known.BY_NAME.keySet());
        return String.join(", ", n.subList(0, n.size() - 1)) + " and " + n.get(n.size() - 1);
    }

    /** Every layer type this build reads and writes, in the order messages list them. */
    public static List<LayerType> all() {
        return Known.ALL;
    }

    /**
     * In a class of its own so that it is built on first use, after the layer classes' {@code TYPE}s:
     * built with LayerType, it would read a {@code TYPE} still null while that layer class loads.
     */
    private static final class Known {
        static final List<LayerType> ALL = List.of(SimpleRnn.TYPE, Lstm.TYPE, Gru.TYPE, Dense.TYPE, Masking.TYPE,
                Normalization.TYPE, Dropout.TYPE, Flatten.TYPE);
        static final Map<String, LayerType> BY_NAME = new LinkedHashMap<>();

        static {
            for (LayerType t : ALL) {
                BY_NAME.put(t.name, t);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
