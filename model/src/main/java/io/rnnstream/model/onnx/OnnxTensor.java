package io.rnnstream.model.onnx;

import com.google.protobuf.ByteString;
import io.rnnstream.model.ModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One ONNX {@code TensorProto} as the file holds it: its dims, element type and values, still in
 * whichever field the writer chose ({@code raw_data} or a typed {@code *_data}). Values are
 * decoded on demand, after the declared size has been checked against the bytes actually there,
 * so that a size in a header never allocates more than the file holds.
 */
public final class OnnxTensor {
    // TensorProto.DataType values (onnx.proto).
    static final int FLOAT = 1;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int DOUBLE = 11;

    private final String name;
    private final long[] dims;
    private final int dataType;
    private final ByteString raw;
    private final float[] floatData;
    private final double[] doubleData;
    private final long[] int64Data;
    private final int[] int32Data;
    private final boolean external;

    OnnxTensor(String name, long[] dims, int dataType, ByteString raw, float[] floatData, double[] doubleData,
            long[] int64Data, int[] int32Data, boolean external) {
        this.name = name;
        this.dims = dims;
        this.dataType = dataType;
        this.raw = raw;
        this.floatData = floatData;
        this.doubleData = doubleData;
        this.int64Data = int64Data;
        this.int32Data = int32Data;
        this.external = external;
    }

    public String name() {
        return name;
    }

    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i];
    }

    public boolean isExternal() {
        return external;
    }

    /** The element count the dims declare; refused beyond what a Java array holds. */
    public int count() {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new ModelException("tensor '" + name + "' has a negative dimension in " + Arrays.toString(dims)
                        + ": the file is damaged; export the model again");
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new ModelException("tensor '" + name + "' declares " + Arrays.toString(dims) + " values, more"
                        + " than rnnstream reads: the file is damaged or not a recurrent classifier");
            }
        }
        return (int) n;
    }

    /** The values as float32; float64 is narrowed, as PyTorch does when it runs in float32. */
    public float[] floats() {
        refuseExternal();
        int n = count();
        switch (dataType) {
            case FLOAT: {
                if (floatData.length > 0) {
                    return checked(floatData.length, n, floatData);
                }
                checkRaw(n, 4);
                float[] out = new float[n];
                raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
                return out;
            }
            case DOUBLE: {
                double[] d;
                if (doubleData.length > 0) {
                    d = checked(doubleData.length, n, doubleData);
                } else {
                    checkRaw(n, 8);
                    d = new double[n];
                    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
                }
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) d[i];
                }
                return out;
            }
            default:
                throw new ModelException("tensor '" + name + "' holds " + typeName(dataType) + " values; rnnstream"
                        + " reads float32 and float64 weights: export the model in float32");
        }
    }

    /** The values as integers (axes, indices, shapes): int64 or int32. */
    public long[] longs() {
        refuseExternal();
        int n = count();
        switch (dataType) {
            case INT64: {
                if (int64Data.length > 0) {
                    return checked(int64Data.length, n, int64Data);
                }
                checkRaw(n, 8);
                long[] out = new long[n];
                raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
                return out;
            }
            case INT32: {
                long[] out = new long[n];
                if (int32Data.length > 0) {
                    checked(int32Data.length, n, int32Data);
                    for (int i = 0; i < n; i++) {
                        out[i] = int32Data[i];
                    }
                    return out;
                }
                checkRaw(n, 4);
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt();
                }
                return out;
            }
            default:
                throw new ModelException("tensor '" + name + "' holds " + typeName(dataType) + " values where integers"
                        + " (axes or indices) are needed");
        }
    }

    /** True when every value is zero (an initial state, say), whatever the numeric type. */
    public boolean allZero() {
        if (dataType == INT64 || dataType == INT32) {
            for (long v : longs()) {
                if (v != 0) {
                    return false;
                }
            }
            return true;
        }
        for (float v : floats()) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    private void refuseExternal() {
        if (external) {
            throw new ModelException("tensor '" + name + "' keeps its values in an external data file, which"
                    + " rnnstream does not read: save the model as one file (onnx.save_model(m, path,"
                    + " save_as_external_data=False), or torch.onnx.export of a model under 2 GB)");
        }
    }

    private void checkRaw(int n, int width) {
        long want = (long) n * width;
        if (raw.size() != want) {
            throw new ModelException("tensor '" + name + "' declares " + Arrays.toString(dims) + " = " + n + " "
                    + typeName(dataType) + " values (" + want + " bytes) but holds " + raw.size() + " bytes: the"
                    + " file is damaged or truncated; export the model again");
        }
    }

    private <T> T checked(int have, int want, T data) {
        if (have != want) {
            throw new ModelException("tensor '" + name + "' declares " + Arrays.toString(dims) + " = " + want
                    + " values but holds " + have + ": the file is damaged; export the model again");
        }
        return data;
    }

    static String typeName(int t) {
        String[] names = {"undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
            "bool", "float16", "float64", "uint32", "uint64", "complex64", "complex128", "bfloat16"};
        return t >= 0 && t < names.length ? names[t] : "type " + t;
    }

    @Override
    public String toString() {
        return name + " " + typeName(dataType) + Arrays.toString(dims);
    }
}
