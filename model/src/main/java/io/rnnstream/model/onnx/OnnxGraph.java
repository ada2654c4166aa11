package io.rnnstream.model.onnx;

import io.rnnstream.model.ModelException;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX {@code ModelProto} the importer reads: who wrote it, the opsets, and the
 * main graph's nodes, initializers, inputs and outputs. Plain values, as {@link OnnxReader} found
 * them; what they mean is {@link OnnxImport}'s business.
 */
public record OnnxGraph(long irVersion, String producerName, String producerVersion, Map<String, Long> opsets,
        String name, List<Node> nodes, Map<String, OnnxTensor> initializers, List<ValueInfo> inputs,
        List<ValueInfo> outputs) {

    /** The default domain's opset: what the standard operators' semantics follow. */
    public long opset() {
        Long v = opsets.get("");
        if (v == null) {
            v = opsets.get("ai.onnx");
        }
        return v == null ? -1 : v;
    }

    /** One operator application; an empty input name means an optional input left out. */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
            Map<String, Attribute> attributes) {
        /** The node as messages name it: its name when it has one, and its op. */
        public String describe() {
            return (name.isEmpty() ? "a node" : "node '" + name + "'") + " (" + opType + ")";
        }

        /** Input {@code i}, or "" when absent. */
        public String input(int i) {
            return i < inputs.size() ? inputs.get(i) : "";
        }

        public String output(int i) {
            return i < outputs.size() ? outputs.get(i) : "";
        }

        public long intAttr(String attr, long dflt) {
            Attribute a = attributes.get(attr);
            return a == null ? dflt : a.i();
        }

        public float floatAttr(String attr, float dflt) {
            Attribute a = attributes.get(attr);
            return a == null ? dflt : a.f();
        }

        public String stringAttr(String attr, String dflt) {
            Attribute a = attributes.get(attr);
            return a == null ? dflt : a.s();
        }

        /** An INTS attribute, or null when absent. */
        public long[] intsAttr(String attr) {
            Attribute a = attributes.get(attr);
            return a == null ? null : a.ints();
        }

        public ModelException refuse(String why) {
            return new ModelException(describe() + ": " + why);
        }
    }

    /** A node attribute; only the field its {@code type} names is meaningful. */
    public record Attribute(String name, int type, float f, long i, String s, OnnxTensor t, float[] floats, long[] ints,
            List<String> strings) {
        // AttributeProto.AttributeType values (onnx.proto).
        static final int FLOAT = 1;
        static final int INT = 2;
        static final int STRING = 3;
        static final int TENSOR = 4;
        static final int GRAPH = 5;
        static final int FLOATS = 6;
        static final int INTS = 7;
        static final int STRINGS = 8;
    }

    /**
     * A graph input or output: its name, element type and shape; a dim is its size, or -1 when
     * symbolic (a {@code dim_param} such as "batch") or unknown.
     */
    public record ValueInfo(String name, int elemType, long[] shape) {}
}
