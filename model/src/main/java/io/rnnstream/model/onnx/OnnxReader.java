package io.rnnstream.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.onnx.OnnxGraph.Attribute;
import io.rnnstream.model.onnx.OnnxGraph.Node;
import io.rnnstream.model.onnx.OnnxGraph.ValueInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ONNX file's protobuf wire format with protobuf-java's {@link CodedInputStream}, by the
 * field numbers of onnx.proto (no generated classes: only the handful of fields below matter, and
 * every other field is skipped). Lengths are checked against the bytes left before anything is
 * allocated, so a damaged length fails as "truncated", never as an out-of-memory error.
 */
final class OnnxReader {
    private final String file;

    private OnnxReader(String file) {
        this.file = file;
    }

    /** Parses a whole {@code ModelProto}; every failure is one {@link ModelException} line. */
    static OnnxGraph read(byte[] bytes, String file) {
        if (bytes.length == 0) {
            throw new ModelException(file + " is empty: it is not an ONNX model");
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        // raw_data stays a view of the file's bytes until a tensor is decoded.
        in.enableAliasing(true);
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            return new OnnxReader(file).model(in);
        } catch (InvalidProtocolBufferException e) {
            String why = e.getMessage() == null ? "" : e.getMessage();
            boolean cut = why.contains("truncated") || why.contains("ended unexpectedly");
            throw new ModelException(file + (cut ? " is truncated or damaged" : " is not a valid ONNX file")
                    + " (the protobuf ends inside a field or holds an invalid one): export or copy it again", e);
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private OnnxGraph model(CodedInputStream in) throws IOException {
        long ir = -1;
        String producer = "";
        String producerVersion = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        GraphParts g = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> ir = in.readInt64();
                case 2 -> producer = text(in);
                case 3 -> producerVersion = text(in);
                case 7 -> g = message(in, this::graph);
                case 8 -> {
                    long[] version = {1};
                    String[] domain = {""};
                    message(in, m -> {
                        int t;
                        while ((t = m.readTag()) != 0) {
                            switch (WireFormat.getTagFieldNumber(t)) {
                                case 1 -> domain[0] = text(m);
                                case 2 -> version[0] = m.readInt64();
                                default -> m.skipField(t);
                            }
                        }
                        return null;
                    });
                    opsets.put(domain[0], version[0]);
                }
                default -> in.skipField(tag);
            }
        }
        if (ir < 0 || g == null) {
            throw new ModelException(file + " is not an ONNX model (it has no " + (ir < 0 ? "ir_version" : "graph")
                    + "): pass a .onnx file written by torch.onnx.export or onnx.save");
        }
        return new OnnxGraph(ir, producer, producerVersion, opsets, g.name, g.nodes, g.initializers, g.inputs,
                g.outputs);
    }

    private static final class GraphParts {
        String name = "";
        final List<Node> nodes = new ArrayList<>();
        final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        final List<ValueInfo> inputs = new ArrayList<>();
        final List<ValueInfo> outputs = new ArrayList<>();
    }

    private GraphParts graph(CodedInputStream in) throws IOException {
        GraphParts g = new GraphParts();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> g.nodes.add(message(in, this::node));
                case 2 -> g.name = text(in);
                case 5 -> {
                    OnnxTensor t = message(in, this::tensor);
                    g.initializers.put(t.name(), t);
                }
                case 11 -> g.inputs.add(message(in, this::valueInfo));
                case 12 -> g.outputs.add(message(in, this::valueInfo));
                case 15 -> throw new ModelException(file + " holds sparse initializers, which rnnstream does not read:"
                        + " export the model with dense weights");
                default -> in.skipField(tag);
            }
        }
        return g;
    }

    private Node node(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(text(in));
                case 2 -> outputs.add(text(in));
                case 3 -> name = text(in);
                case 4 -> op = text(in);
                case 7 -> domain = text(in);
                case 5 -> {
                    Attribute a = message(in, this::attribute);
                    attrs.put(a.name(), a);
                }
                default -> in.skipField(tag);
            }
        }
        return new Node(name, op, domain, List.copyOf(inputs), List.copyOf(outputs), attrs);
    }

    private Attribute attribute(CodedInputStream in) throws IOException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        String s = "";
        OnnxTensor t = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        List<String> strings = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = text(in);
                case 20 -> type = in.readInt32();
                case 2 -> f = in.readFloat();
                case 3 -> i = in.readInt64();
                case 4 -> s = in.readBytes().toStringUtf8();
                case 5 -> t = message(in, this::tensor);
                case 6 -> {
                    // A subgraph (If, Loop, Scan): never on a path rnnstream runs; the op is refused by name.
                    type = Attribute.GRAPH;
                    in.skipField(tag);
                }
                case 7 -> readFloats(in, tag, floats);
                case 8 -> readLongs(in, tag, ints);
                case 9 -> strings.add(in.readBytes().toStringUtf8());
                default -> in.skipField(tag);
            }
        }
        return new Attribute(name, type, f, i, s, t, floats.toArray(), ints.toArray(), List.copyOf(strings));
    }

    private OnnxTensor tensor(CodedInputStream in) throws IOException {
        LongList dims = new LongList();
        int dataType = 0;
        String name = "";
        ByteString raw = ByteString.EMPTY;
        FloatList floats = new FloatList();
        DoubleList doubles = new DoubleList();
        LongList int64s = new LongList();
        LongList int32s = new LongList();
        boolean external = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> readLongs(in, tag, dims);
                case 2 -> dataType = in.readInt32();
                case 4 -> readFloats(in, tag, floats);
                case 5 -> readLongs(in, tag, int32s);
                case 7 -> readLongs(in, tag, int64s);
                case 8 -> name = text(in);
                case 9 -> raw = in.readBytes();
                case 10 -> readDoubles(in, tag, doubles);
                case 13 -> {
                    external = true;
                    in.skipField(tag);
                }
                case 14 -> external |= in.readEnum() == 1; // DataLocation.EXTERNAL
                default -> in.skipField(tag);
            }
        }
        long[] i32 = int32s.toArray();
        int[] int32 = new int[i32.length];
        for (int k = 0; k < i32.length; k++) {
            int32[k] = (int) i32[k];
        }
        return new OnnxTensor(name, dims.toArray(), dataType, raw, floats.toArray(), doubles.toArray(),
                int64s.toArray(), int32, external);
    }

    private ValueInfo valueInfo(CodedInputStream in) throws IOException {
        String[] name = {""};
        int[] elem = {0};
        LongList shape = new LongList();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name[0] = text(in);
                case 2 -> message(in, type -> { // TypeProto
                    int t;
                    while ((t = type.readTag()) != 0) {
                        if (WireFormat.getTagFieldNumber(t) != 1) { // tensor_type
                            type.skipField(t);
                            continue;
                        }
                        message(type, tensorType -> {
                            int u;
                            while ((u = tensorType.readTag()) != 0) {
                                switch (WireFormat.getTagFieldNumber(u)) {
                                    case 1 -> elem[0] = tensorType.readInt32();
                                    case 2 -> message(tensorType, this::shape).forEach(shape::add);
                                    default -> tensorType.skipField(u);
                                }
                            }
                            return null;
                        });
                    }
                    return null;
                });
                default -> in.skipField(tag);
            }
        }
        return new ValueInfo(name[0], elem[0], shape.toArray());
    }

    /** TensorShapeProto: each dim's dim_value, or -1 for a dim_param or an unknown size. */
    private List<Long> shape(CodedInputStream in) throws IOException {
        List<Long> dims = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) != 1) {
                in.skipField(tag);
                continue;
            }
            dims.add(message(in, d -> {
                long v = -1;
                int t;
                while ((t = d.readTag()) != 0) {
                    if (WireFormat.getTagFieldNumber(t) == 1) {
                        v = d.readInt64();
                    } else {
                        d.skipField(t);
                    }
                }
                return v;
            }));
        }
        return dims;
    }

    // ------------------------------------------------------------------------- wire-format helpers

    private interface Body<T> {
        T read(CodedInputStream in) throws IOException;
    }

    /** A length-delimited sub-message; pushLimit refuses a length beyond the bytes left. */
    private static <T> T message(CodedInputStream in, Body<T> body) throws IOException {
        int length = in.readRawVarint32();
        int old = in.pushLimit(length);
        T value = body.read(in);
        in.checkLastTagWas(0);
        in.popLimit(old);
        return value;
    }

    private static boolean packed(int tag) {
        return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    private interface Element {
        void read(CodedInputStream in) throws IOException;
    }

    /** One value of a repeated scalar field, or all of them when the writer packed them (proto3's default). */
    private static void repeated(CodedInputStream in, int tag, Element element) throws IOException {
        if (!packed(tag)) {
            element.read(in);
            return;
        }
        int old = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
            element.read(in);
        }
        in.popLimit(old);
    }

    private static void readFloats(CodedInputStream in, int tag, FloatList out) throws IOException {
        repeated(in, tag, c -> out.add(c.readFloat()));
    }

    private static void readDoubles(CodedInputStream in, int tag, DoubleList out) throws IOException {
        repeated(in, tag, c -> out.add(c.readDouble()));
    }

    private static void readLongs(CodedInputStream in, int tag, LongList out) throws IOException {
        repeated(in, tag, c -> out.add(c.readInt64()));
    }

    /** Growable primitive lists: they grow with the values read, never with a declared count. */
    private static final class FloatList {
        private float[] a = new float[16];
        private int n;

        void add(float v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    private static final class DoubleList {
        private double[] a = new double[16];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    private static final class LongList {
        private long[] a = new long[8];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /**
     * A string field of the file (a name, an op, a domain), as messages may quote it: control
     * characters become '?', so a refusal stays one line whatever the file holds (found by
     * OnnxFileFuzzTest: a node domain with a line break). Applied to every name alike, so the
     * graph's wiring by name is unchanged.
     */
    private static String text(CodedInputStream in) throws java.io.IOException {
        String s = in.readString();
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
