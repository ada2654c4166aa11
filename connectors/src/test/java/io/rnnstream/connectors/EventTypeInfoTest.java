package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class EventTypeInfoTest {
    private final TypeSerializer<Event> serializer = EventTypeInfo.EVENTS.createSerializer(new SerializerConfigImpl());

    private static Event event(String key, int step, long ts, float[] features, boolean end, String raw) {
        Event e = new Event(key, step, ts, features, end);
        e.raw = raw;
        return e;
    }

    @Test
    void everyEventComesBackEqual() throws Exception {
        String longRaw = "{\"features\":[" + "0.1,".repeat(20_000) + "0.1]}"; // beyond writeUTF's 64 KB
        List<Event> events = List.of(
                event("user-7", 3, 1_700_000_000_123L, new float[] {1.5f, -0f, Float.NaN, Float.MIN_VALUE}, true,
                        "{\"key\":\"user-7\"}"),
                event("ü-ключ-🔑", Event.NO_STEP, Event.NO_TS, new float[0], false, null),
                event(null, 0, 0, null, false, null),
                event("", Integer.MAX_VALUE, Long.MAX_VALUE, new float[] {Float.MAX_VALUE}, true, longRaw),
                new Event());
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (Event e : events) {
            serializer.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (Event e : events) {
            Event back = serializer.deserialize(in);
            assertEquals(e, back);
            assertEquals(Arrays.toString(e.features), Arrays.toString(back.features), "NaN and -0 keep their bits");
            Event copy = serializer.copy(e);
            assertEquals(e, copy);
            if (e.features != null) {
                assertNotSame(e.features, copy.features);
            }
        }
        assertEquals(0, in.available());
    }

    @Test
    void itWritesEveryFieldEventHas() {
        // A field added to Event must be added to the serializer (and to this list).
        Set<String> fields = Arrays.stream(Event.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers())).map(Field::getName).collect(Collectors.toSet());
        assertEquals(Set.of("key", "step", "ts", "features", "end", "raw", "rawUtf8"), fields);
    }

    @Test
    void thePayloadsBytesCrossTheWireAsBytesButStayOutOfState() throws Exception {
        Event e = new Event("k", 1, 2, new float[] {0.5f}, false);
        e.rawUtf8 = "{\"key\":\"k\",\"é\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(e, out);
        Event back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(null, back.raw, "not decoded on the way");
        assertEquals("{\"key\":\"k\",\"é\":1}", back.rawText());
        assertEquals(e, back);
        // State keeps events with Flink's POJO serializer: the bytes are no field of it, so savepoints do not change.
        var pojo = (org.apache.flink.api.java.typeutils.PojoTypeInfo<Event>)
                org.apache.flink.api.common.typeinfo.TypeInformation.of(Event.class);
        Set<String> stateFields = new java.util.HashSet<>();
        for (int i = 0; i < pojo.getArity(); i++) {
            stateFields.add(pojo.getPojoFieldAt(i).getField().getName());
        }
        assertEquals(Set.of("key", "step", "ts", "features", "end", "raw"), stateFields);
    }

    @Test
    void itsSnapshotRestoresTheSameSerializer() throws Exception {
        TypeSerializerSnapshot<Event> snap = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snap.writeSnapshot(out);
        TypeSerializerSnapshot<Event> read = new EventTypeInfo.Snapshot();
        read.readSnapshot(snap.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertSame(EventTypeInfo.EventSerializer.INSTANCE, read.restoreSerializer());
        assertTrue(read.resolveSchemaCompatibility(snap).isCompatibleAsIs());
        assertEquals(EventTypeInfo.EVENTS, EventTypeInfo.EVENTS);
        assertSame(serializer, serializer.duplicate());
    }
}
