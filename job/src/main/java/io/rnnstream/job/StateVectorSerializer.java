package io.rnnstream.job;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The recurrent state's serializer: the bytes of Flink's own float[] serializer (a length, then each
 * float big-endian; a NaN keeps its raw bits, where Flink writes the canonical NaN), written and read
 * as one block instead of float by float. On RocksDB every event
 * reads and writes a key's whole state, and Flink's per-float path was a quarter of the operator
 * thread's Java time there (docs/BENCHMARKS.md). A Flink {@link TypeSerializer} with a versioned
 * snapshot, chosen for {@link SequenceMeta#state} through {@link Factory}: no Kryo.
 */
public final class StateVectorSerializer extends TypeSerializerSingleton<float[]> {
    private static final long serialVersionUID = 1L;

    public static final StateVectorSerializer INSTANCE = new StateVectorSerializer();
    private static final float[] EMPTY = new float[0];

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public float[] createInstance() {
        return EMPTY;
    }

    @Override
    public float[] copy(float[] from) {
        return from.clone();
    }

    @Override
    public float[] copy(float[] from, float[] reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(float[] record, DataOutputView target) throws IOException {
        if (record == null) {
            throw new IllegalArgumentException("the state vector is null (the POJO serializer writes null fields)");
        }
        byte[] bytes = new byte[4 * record.length];
        // A ByteBuffer is big-endian, as DataOutput.writeFloat: the same bytes, copied in bulk.
        ByteBuffer.wrap(bytes).asFloatBuffer().put(record);
        target.writeInt(record.length);
        target.write(bytes);
    }

    @Override
    public float[] deserialize(DataInputView source) throws IOException {
        int n = source.readInt();
        byte[] bytes = new byte[4 * n];
        source.readFully(bytes);
        float[] v = new float[n];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
        return v;
    }

    @Override
    public float[] deserialize(float[] reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int n = source.readInt();
        byte[] bytes = new byte[4 * n];
        source.readFully(bytes);
        target.writeInt(n);
        // Not write(source, n): DataOutputSerializer does not grow its buffer for that one.
        target.write(bytes);
    }

    @Override
    public TypeSerializerSnapshot<float[]> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1 of the format: Flink's float[] layout. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<float[]> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Picks this serializer for an annotated {@code float[]} field of a POJO. */
    public static final class Factory extends TypeInfoFactory<float[]> {
        @Override
        public TypeInformation<float[]> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new Info();
        }
    }

    /** The type information behind {@link Factory}. */
    public static final class Info extends TypeInformation<float[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<float[]> getTypeClass() {
            return float[].class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<float[]> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "StateVector(float[])";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Info;
        }

        @Override
        public int hashCode() {
            return Info.class.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof Info;
        }
    }
}
