package io.rnnstream.job;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The keyed state's serializer for {@link SequenceMeta}: its fields written one after the other, and
 * the recurrent state's floats as one block of bytes.
 *
 * <p>Why not Flink's PojoSerializer, which wrote this value until b4330e2: a checkpoint of the heap
 * backend writes every key's value, and there the POJO path sets and reads each field by reflection
 * and hands each float of the state to the checkpoint stream as four single-byte writes (26 % of the
 * checkpoint thread's samples, docs/BENCHMARKS.md "Session 15"); on RocksDB every event reads and
 * writes the value once. This writes a 128-unit state with one {@code write(byte[])}.
 *
 * <p>Savepoints written with the PojoSerializer restore: the snapshot declares them compatible after
 * migration, so the backend reads them with the POJO serializer and writes them with this one
 * ({@code SavepointUpgradeTest}). A new field on {@link SequenceMeta} must be added here with a new
 * snapshot version ({@code SequenceMetaSerializerTest} fails until it is).
 *
 * <p>Not a singleton: each instance has a scratch buffer for the floats, so {@link #duplicate()} gives
 * every thread its own.
 */
public final class SequenceMetaSerializer extends TypeSerializer<SequenceMeta> {
    private static final long serialVersionUID = 1L;

    // The bits of the first byte: the booleans, and which of the optional fields follow.
    private static final int ACTIVE = 1;
    private static final int ENDED_BY_TIMEOUT = 2;
    private static final int DECIDED = 4;
    private static final int TIMER_EVENT_TIME = 8;
    private static final int HAS_MODEL = 16;
    private static final int HAS_STATE = 32;
    private static final int HAS_LAST_OUTPUT = 64;

    /** Big-endian, as Flink's own float serializers write a float. */
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private transient byte[] scratch;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<SequenceMeta> duplicate() {
        return new SequenceMetaSerializer();
    }

    @Override
    public SequenceMeta createInstance() {
        return new SequenceMeta();
    }

    @Override
    public SequenceMeta copy(SequenceMeta from) {
        SequenceMeta m = new SequenceMeta();
        m.active = from.active;
        m.nextStep = from.nextStep;
        m.endedAt = from.endedAt;
        m.endedByTimeout = from.endedByTimeout;
        m.decided = from.decided;
        m.buffered = from.buffered;
        m.maxTs = from.maxTs;
        m.timer = from.timer;
        m.timerEventTime = from.timerEventTime;
        m.model = from.model;
        m.state = from.state == null ? null : from.state.clone();
        m.lastOutput = from.lastOutput == null ? null : from.lastOutput.clone();
        return m;
    }

    @Override
    public SequenceMeta copy(SequenceMeta from, SequenceMeta reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SequenceMeta m, DataOutputView out) throws IOException {
        out.writeByte((m.active ? ACTIVE : 0) | (m.endedByTimeout ? ENDED_BY_TIMEOUT : 0) | (m.decided ? DECIDED : 0)
                | (m.timerEventTime ? TIMER_EVENT_TIME : 0) | (m.model != null ? HAS_MODEL : 0)
                | (m.state != null ? HAS_STATE : 0) | (m.lastOutput != null ? HAS_LAST_OUTPUT : 0));
        out.writeInt(m.nextStep);
        out.writeInt(m.endedAt);
        out.writeInt(m.buffered);
        out.writeLong(m.maxTs);
        out.writeLong(m.timer);
        if (m.model != null) {
            StringValue.writeString(m.model, out);
        }
        if (m.state != null) {
            writeFloats(m.state, out);
        }
        if (m.lastOutput != null) {
            writeFloats(m.lastOutput, out);
        }
    }

    @Override
    public SequenceMeta deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        SequenceMeta m = new SequenceMeta();
        m.active = (flags & ACTIVE) != 0;
        m.endedByTimeout = (flags & ENDED_BY_TIMEOUT) != 0;
        m.decided = (flags & DECIDED) != 0;
        m.timerEventTime = (flags & TIMER_EVENT_TIME) != 0;
        m.nextStep = in.readInt();
        m.endedAt = in.readInt();
        m.buffered = in.readInt();
        m.maxTs = in.readLong();
        m.timer = in.readLong();
        if ((flags & HAS_MODEL) != 0) {
            m.model = StringValue.readString(in);
        }
        if ((flags & HAS_STATE) != 0) {
            m.state = readFloats(in);
        }
        if ((flags & HAS_LAST_OUTPUT) != 0) {
            m.lastOutput = readFloats(in);
        }
        return m;
    }

    @Override
    public SequenceMeta deserialize(SequenceMeta reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    /** The raw bits, so that a NaN's payload survives too: the value read back is the value written. */
    private void writeFloats(float[] f, DataOutputView out) throws IOException {
        out.writeInt(f.length);
        byte[] b = scratch(f.length * 4);
        for (int i = 0; i < f.length; i++) {
            INT_BE.set(b, i * 4, Float.floatToRawIntBits(f[i]));
        }
        out.write(b, 0, f.length * 4);
    }

    private float[] readFloats(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt state: a float array of length " + n);
        }
        byte[] b = scratch(n * 4);
        in.readFully(b, 0, n * 4);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = Float.intBitsToFloat((int) INT_BE.get(b, i * 4));
        }
        return f;
    }

    private byte[] scratch(int bytes) {
        byte[] b = scratch;
        if (b == null || b.length < bytes) {
            b = new byte[Math.max(bytes, 1024)];
            scratch = b;
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceMetaSerializer;
    }

    @Override
    public int hashCode() {
        return SequenceMetaSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SequenceMeta> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * The serializer has no configuration: its snapshot names it. A value written by Flink's
     * PojoSerializer (savepoints of main up to b4330e2) is read with that and migrated.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SequenceMeta> {
        public Snapshot() {
            super(SequenceMetaSerializer::new);
        }

        @Override
        public TypeSerializerSchemaCompatibility<SequenceMeta> resolveSchemaCompatibility(
                TypeSerializerSnapshot<SequenceMeta> old) {
            if (old instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(old);
        }
    }
}
