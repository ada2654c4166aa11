package io.rnnstream.model.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.model.ModelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Keras model config ({@code model_config}, {@code config.json} or {@code model.to_json()}) reduced
 * to what rnnstream runs: the layers of a single chain, in order.
 */
final class KerasConfig {
    /** The model's name from its config, or null (Keras 2.1's list form has none). */
    final String name;
    /** The layer configs, input first: {@code {"class_name": …, "config": {…}}}. */
    final List<JsonNode> layers;

    private KerasConfig(String name, List<JsonNode> layers) {
        this.name = name;
        this.layers = layers;
    }

    static KerasConfig parse(JsonNode model, String file) {
        String className = text(model, "class_name");
        JsonNode config = model.get("config");
        if (className == null || config == null) {
            throw new ModelException(file + " has no Keras model config (no class_name/config): it is not a model"
                    + " saved by Keras's model.save() or model.to_json()");
        }
        switch (className) {
            case "Sequential": {
                JsonNode layers = config.isArray() ? config : config.get("layers");
                if (layers == null || !layers.isArray()) {
                    throw new ModelException(file + ": the Sequential model's config has no layers");
                }
                List<JsonNode> list = new ArrayList<>();
                layers.forEach(list::add);
                return new KerasConfig(config.isObject() ? text(config, "name") : null, list);
            }
            case "Model":
            case "Functional":
                return new KerasConfig(text(config, "name"), chain(config, file));
            default:
                throw new ModelException(file + " holds a Keras " + className + ", not a Sequential or functional"
                        + " model: rnnstream imports models built with keras.Sequential or the functional API");
        }
    }

    /** Orders a functional model's layers from its input to its output, refusing anything but one chain. */
    private static List<JsonNode> chain(JsonNode config, String file) {
        JsonNode layers = config.get("layers");
        if (layers == null || !layers.isArray() || layers.isEmpty()) {
            throw new ModelException(file + ": the functional model's config has no layers");
        }
        String modelName = text(config, "name");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        Map<String, String> producer = new HashMap<>();
        Map<String, String> consumer = new HashMap<>();
        for (JsonNode l : layers) {
            String n = layerName(l);
            byName.put(n, l);
        }
        for (JsonNode l : layers) {
            String n = layerName(l);
            JsonNode nodes = l.get("inbound_nodes");
            if (nodes == null || nodes.isEmpty()) {
                continue;
            }
            if (nodes.size() > 1) {
                throw notAChain(modelName, file, "layer '" + n + "' is called " + nodes.size() + " times (a shared"
                        + " layer)");
            }
            List<String> inputs = new ArrayList<>();
            collectInbound(nodes.get(0), inputs);
            if (inputs.size() != 1) {
                throw notAChain(modelName, file, "layer '" + n + "' takes " + inputs.size() + " inputs "
                        + inputs);
            }
            String in = inputs.get(0);
            if (!byName.containsKey(in)) {
                throw new ModelException(file + ": layer '" + n + "' reads from '" + in + "', which the model"
                        + " config does not define");
            }
            producer.put(n, in);
            if (consumer.putIfAbsent(in, n) != null) {
                throw notAChain(modelName, file, "layer '" + in + "' feeds both '" + consumer.get(in) + "' and '"
                        + n + "'");
            }
        }
        List<String> starts = new ArrayList<>();
        for (String n : byName.keySet()) {
            if (!producer.containsKey(n)) {
                starts.add(n);
            }
        }
        if (starts.size() != 1) {
            throw notAChain(modelName, file, "it has " + starts.size() + " inputs " + starts);
        }
        List<JsonNode> ordered = new ArrayList<>();
        for (String n = starts.get(0); n != null; n = consumer.get(n)) {
            ordered.add(byName.get(n));
        }
        if (ordered.size() != byName.size()) {
            throw notAChain(modelName, file, "not every layer lies on the path from its input to its output");
        }
        return ordered;
    }

    private static ModelException notAChain(String model, String file, String why) {
        return new ModelException("the functional model " + (model == null ? "" : "'" + model + "' ") + "in "
                + file + " is not a single chain of layers: " + why + ". rnnstream imports Sequential models and"
                + " functional models whose layers form one chain (no branches, merges or shared layers)");
    }

    /**
     * The layer names a call node reads. Keras 2: {@code [[name, node, tensor, kwargs], …]}; Keras 3:
     * {@code {"args": […], "kwargs": {…}}} with tensors as {@code {"config": {"keras_history": [name, …]}}}.
     */
    private static void collectInbound(JsonNode node, List<String> out) {
        if (node.isObject()) {
            JsonNode history = node.get("keras_history");
            if (history != null && history.isArray() && history.size() > 0) {
                out.add(history.get(0).asText());
                return;
            }
            node.forEach(child -> collectInbound(child, out));
        } else if (node.isArray()) {
            if (node.size() >= 3 && node.get(0).isTextual() && node.get(1).isNumber()) {
                out.add(node.get(0).asText());
                return;
            }
            node.forEach(child -> collectInbound(child, out));
        }
    }

    static String layerName(JsonNode layer) {
        String n = text(layer.get("config"), "name");
        if (n == null) {
            n = text(layer, "name");
        }
        return n == null ? "?" : n;
    }

    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
