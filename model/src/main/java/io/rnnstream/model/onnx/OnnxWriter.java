package io.rnnstream.model.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Builds ONNX protobuf messages with protobuf-java's {@link CodedOutputStream}, by the same
 * onnx.proto field numbers {@link OnnxReader} reads. A message is written whole before it is
 * nested, so each knows its length.
 */
public final class OnnxWriter {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(buf);

    public OnnxWriter int64(int field, long v) {
        return write(() -> out.writeInt64(field, v));
    }

    public OnnxWriter float32(int field, float v) {
        return write(() -> out.writeFloat(field, v));
    }

    public OnnxWriter string(int field, String s) {
        return write(() -> out.writeString(field, s));
    }

    public OnnxWriter bytes(int field, byte[] b) {
        return write(() -> out.writeByteArray(field, b));
    }

    public OnnxWriter message(int field, OnnxWriter m) {
        return bytes(field, m.toByteArray());
    }

    /** A repeated int64 field, packed (proto3's default, and what onnx writes). */
    public OnnxWriter packedInt64(int field, long... v) {
        return write(() -> {
            out.writeTag(field, 2);
            int size = 0;
            for (long x : v) {
                size += CodedOutputStream.computeInt64SizeNoTag(x);
            }
            out.writeUInt32NoTag(size);
            for (long x : v) {
                out.writeInt64NoTag(x);
            }
        });
    }

    public OnnxWriter packedFloat(int field, float... v) {
        return write(() -> {
            out.writeTag(field, 2);
            out.writeUInt32NoTag(4 * v.length);
            for (float x : v) {
                out.writeFloatNoTag(x);
            }
        });
    }

    public byte[] toByteArray() {
        write(out::flush);
        return buf.toByteArray();
    }

    private interface Io {
        void run() throws IOException;
    }

    private OnnxWriter write(Io w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return this;
    }

    // ------------------------------------------------------------------------------------ ONNX messages

    /** A float32 TensorProto (dims 1, data_type 2, name 8, raw_data 9). */
    public static OnnxWriter floatTensor(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return new OnnxWriter().packedInt64(1, dims).int64(2, OnnxTensor.FLOAT).string(8, name).bytes(9, b.array());
    }

    /** An int64 TensorProto with its values in int64_data (field 7). */
    public static OnnxWriter int64Tensor(String name, long[] data, long... dims) {
        return new OnnxWriter().packedInt64(1, dims).int64(2, OnnxTensor.INT64).string(8, name).packedInt64(7, data);
    }

    /** A NodeProto (input 1, output 2, name 3, op_type 4, attribute 5). */
    public static OnnxWriter node(String op, String name, List<String> inputs, List<String> outputs,
            OnnxWriter... attributes) {
        OnnxWriter n = new OnnxWriter();
        inputs.forEach(i -> n.string(1, i));
        outputs.forEach(o -> n.string(2, o));
        n.string(3, name).string(4, op);
        for (OnnxWriter a : attributes) {
            n.message(5, a);
        }
        return n;
    }

    // AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20.
    public static OnnxWriter attr(String name, long i) {
        return new OnnxWriter().string(1, name).int64(3, i).int64(20, OnnxGraph.Attribute.INT);
    }

    public static OnnxWriter attr(String name, float f) {
        return new OnnxWriter().string(1, name).float32(2, f).int64(20, OnnxGraph.Attribute.FLOAT);
    }

    public static OnnxWriter attr(String name, String s) {
        return new OnnxWriter().string(1, name).string(4, s).int64(20, OnnxGraph.Attribute.STRING);
    }

    public static OnnxWriter attrInts(String name, long... v) {
        return new OnnxWriter().string(1, name).packedInt64(8, v).int64(20, OnnxGraph.Attribute.INTS);
    }

    public static OnnxWriter attrFloats(String name, float... v) {
        return new OnnxWriter().string(1, name).packedFloat(7, v).int64(20, OnnxGraph.Attribute.FLOATS);
    }

    public static OnnxWriter attrStrings(String name, List<String> v) {
        OnnxWriter a = new OnnxWriter().string(1, name);
        v.forEach(s -> a.string(9, s));
        return a.int64(20, OnnxGraph.Attribute.STRINGS);
    }

    public static OnnxWriter attr(String name, OnnxWriter tensor) {
        return new OnnxWriter().string(1, name).message(5, tensor).int64(20, OnnxGraph.Attribute.TENSOR);
    }

    /**
     * A ValueInfoProto of a float32 tensor; a dim is its size, or a name (a String) for a
     * symbolic one such as "batch".
     */
    public static OnnxWriter floatValue(String name, Object... dims) {
        OnnxWriter shape = new OnnxWriter();
        for (Object d : dims) {
            OnnxWriter dim = d instanceof String s ? new OnnxWriter().string(2, s)
                    : new OnnxWriter().int64(1, ((Number) d).longValue());
            shape.message(1, dim);
        }
        OnnxWriter tensorType = new OnnxWriter().int64(1, OnnxTensor.FLOAT).message(2, shape);
        return new OnnxWriter().string(1, name).message(2, new OnnxWriter().message(1, tensorType));
    }

    /** A GraphProto (node 1, name 2, initializer 5, input 11, output 12). */
    public static OnnxWriter graph(String name, List<OnnxWriter> nodes, List<OnnxWriter> initializers,
            List<OnnxWriter> inputs, List<OnnxWriter> outputs) {
        OnnxWriter g = new OnnxWriter();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, name);
        initializers.forEach(t -> g.message(5, t));
        inputs.forEach(i -> g.message(11, i));
        outputs.forEach(o -> g.message(12, o));
        return g;
    }

    /** A ModelProto (ir_version 1, producer 2 and 3, graph 7, opset_import 8 with domain 1 and version 2). */
    public static byte[] model(long irVersion, long opset, String producer, String producerVersion, OnnxWriter graph) {
        return new OnnxWriter().int64(1, irVersion).string(2, producer).string(3, producerVersion).message(7, graph)
                .message(8, new OnnxWriter().string(1, "").int64(2, opset)).toByteArray();
    }
}
