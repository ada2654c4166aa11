package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SequenceMetaSerializerTest {
    private final SequenceMetaSerializer serializer = new SequenceMetaSerializer();

    static SequenceMeta random(Random r) {
        SequenceMeta m = new SequenceMeta();
        m.active = r.nextBoolean();
        m.nextStep = r.nextInt();
        m.endedAt = r.nextInt();
        m.endedByTimeout = r.nextBoolean();
        m.decided = r.nextBoolean();
        m.buffered = r.nextInt();
        m.maxTs = r.nextLong();
        m.timer = r.nextBoolean() ? SequenceMeta.NO_TIMER : r.nextLong();
        m.timerEventTime = r.nextBoolean();
        m.model = r.nextBoolean() ? null : "model-" + r.nextInt(1000) + "-ключ";
        m.state = r.nextBoolean() ? null : floats(r, r.nextInt(300));
        m.lastOutput = r.nextBoolean() ? null : floats(r, r.nextInt(20));
        return m;
    }

    /** Any bit pattern: NaNs with payloads, -0, subnormals. */
    static float[] floats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = Float.intBitsToFloat(r.nextInt());
        }
        return f;
    }

    static void assertSame(SequenceMeta a, SequenceMeta b) {
        assertEquals(a.active, b.active);
        assertEquals(a.nextStep, b.nextStep);
        assertEquals(a.endedAt, b.endedAt);
        assertEquals(a.endedByTimeout, b.endedByTimeout);
        assertEquals(a.decided, b.decided);
        assertEquals(a.buffered, b.buffered);
        assertEquals(a.maxTs, b.maxTs);
        assertEquals(a.timer, b.timer);
        assertEquals(a.timerEventTime, b.timerEventTime);
        assertEquals(a.model, b.model);
        assertArrayEquals(bits(a.state), bits(b.state), "the state, bit for bit");
        assertArrayEquals(bits(a.lastOutput), bits(b.lastOutput), "the last output, bit for bit");
    }

    static int[] bits(float[] f) {
        if (f == null) {
            return null;
        }
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    @Test
    void everyValueComesBackBitForBit() throws Exception {
        Random r = new Random(7);
        List<SequenceMeta> values = new ArrayList<>();
        values.add(new SequenceMeta());
        for (int i = 0; i < 2000; i++) {
            values.add(random(r));
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (SequenceMeta m : values) {
            serializer.serialize(m, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (SequenceMeta m : values) {
            assertSame(m, serializer.deserialize(in));
            SequenceMeta copy = serializer.copy(m);
            assertSame(m, copy);
            if (m.state != null) {
                assertNotSame(m.state, copy.state);
            }
        }
        assertEquals(0, in.available());

        // copy(in, out) moves one value's bytes unchanged
        DataOutputSerializer one = new DataOutputSerializer(64);
        serializer.serialize(values.get(5), one);
        DataOutputSerializer moved = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(one.getCopyOfBuffer()), moved);
        assertArrayEquals(one.getCopyOfBuffer(), moved.getCopyOfBuffer());
    }

    @Test
    void aCorruptLengthIsAnErrorNotAHugeArray() {
        byte[] bytes = new byte[1 + 12 + 16 + 4];
        bytes[0] = 32; // HAS_STATE
        Arrays.fill(bytes, 29, 33, (byte) 0xff); // length -1
        assertThrows(IOException.class, () -> serializer.deserialize(new DataInputDeserializer(bytes)));
    }

    @Test
    void itWritesEveryFieldSequenceMetaHas() {
        // A field added to SequenceMeta must be added to the serializer, under a new snapshot version.
        Set<String> fields = Arrays.stream(SequenceMeta.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers())).map(Field::getName).collect(Collectors.toSet());
        assertEquals(Set.of("active", "nextStep", "endedAt", "endedByTimeout", "decided", "buffered", "maxTs",
                "timer", "timerEventTime", "model", "state", "lastOutput"), fields);
    }

    @Test
    void aRunningKeyWithA128UnitStateTakesFewerBytesThanThePojoSerializerWrote() throws Exception {
        SequenceMeta m = new SequenceMeta();
        m.active = true;
        m.nextStep = 14;
        m.state = new float[128];
        TypeSerializer<SequenceMeta> pojo = TypeInformation.of(SequenceMeta.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer a = new DataOutputSerializer(1024);
        pojo.serialize(m, a);
        DataOutputSerializer b = new DataOutputSerializer(1024);
        serializer.serialize(m, b);
        assertEquals(1 + 3 * 4 + 2 * 8 + 4 + 512, b.length());
        assertTrue(b.length() < a.length(), b.length() + " vs the POJO's " + a.length());
    }

    @Test
    void itsSnapshotRestoresItAndMigratesWhatThePojoSerializerWrote() throws Exception {
        TypeSerializerSnapshot<SequenceMeta> snap = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snap.writeSnapshot(out);
        TypeSerializerSnapshot<SequenceMeta> read = new SequenceMetaSerializer.Snapshot();
        read.readSnapshot(snap.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertEquals(serializer, read.restoreSerializer());
        assertTrue(read.resolveSchemaCompatibility(snap).isCompatibleAsIs());

        TypeSerializerSnapshot<SequenceMeta> pojo = TypeInformation.of(SequenceMeta.class)
                .createSerializer(new SerializerConfigImpl()).snapshotConfiguration();
        assertTrue(snap.resolveSchemaCompatibility(pojo).isCompatibleAfterMigration());

        // Each thread gets its own scratch buffer.
        TypeSerializer<SequenceMeta> dup = serializer.duplicate();
        assertNotSame(serializer, dup);
        assertEquals(serializer, dup);
        assertNull(serializer.createInstance().state);
    }
}
