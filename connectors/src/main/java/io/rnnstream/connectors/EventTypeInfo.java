package io.rnnstream.connectors;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The events' type on the wire between tasks (the key stage's hash shuffle): {@link Event}'s six fields
 * written one after the other by hand. Flink's {@code PojoSerializer} sets each field by reflection and
 * builds each event through a reflective constructor, which was about 4 % of the step task's thread at
 * 10,000 keys (docs/BENCHMARKS.md, "Session 12"); this writes and reads them directly.
 *
 * <p>Only streams use it, never state: the keyed state that holds events (the order stage's held events,
 * the step stage's early steps) keeps {@code TypeInformation.of(Event.class)}, so savepoints do not change.
 * A new field on {@link Event} must be added here too ({@code EventTypeInfoTest} fails until it is).
 */
public final class EventTypeInfo extends TypeInformation<Event> {
    private static final long serialVersionUID = 1L;

    /** The one instance streams of events are declared with. */
    public static final EventTypeInfo EVENTS = new EventTypeInfo();

    private EventTypeInfo() {}

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
    public Class<Event> getTypeClass() {
        return Event.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Event> createSerializer(SerializerConfig config) {
        return EventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Event (rnnstream's wire serializer)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventTypeInfo;
    }

    @Override
    public int hashCode() {
        return EventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof EventTypeInfo;
    }

    /** Flags of the first byte: which optional fields follow. */
    private static final int HAS_KEY = 1;
    private static final int HAS_FEATURES = 2;
    private static final int END = 4;
    private static final int HAS_RAW = 8;
    /** The payload as its UTF-8 bytes ({@link Event#rawUtf8}): copied as they are, never decoded here. */
    private static final int HAS_RAW_UTF8 = 16;

    /** Stateless, so one instance serves every task (Flink duplicates it as itself). */
    public static final class EventSerializer extends TypeSerializerSingleton<Event> {
        private static final long serialVersionUID = 1L;
        public static final EventSerializer INSTANCE = new EventSerializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public Event createInstance() {
            return new Event();
        }

        @Override
        public Event copy(Event from) {
            Event e = new Event(from.key, from.step, from.ts, from.features == null ? null : from.features.clone(),
                    from.end);
            e.raw = from.raw;
            e.rawUtf8 = from.rawUtf8;
            return e;
        }

        @Override
        public Event copy(Event from, Event reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(Event e, DataOutputView out) throws IOException {
            out.writeByte((e.key != null ? HAS_KEY : 0) | (e.features != null ? HAS_FEATURES : 0) | (e.end ? END : 0)
                    | (e.raw != null ? HAS_RAW : 0) | (e.raw == null && e.rawUtf8 != null ? HAS_RAW_UTF8 : 0));
            if (e.key != null) {
                StringValue.writeString(e.key, out);
            }
            out.writeInt(e.step);
            out.writeLong(e.ts);
            if (e.features != null) {
                float[] f = e.features;
                out.writeInt(f.length);
                for (float v : f) {
                    out.writeFloat(v);
                }
            }
            if (e.raw != null) {
                StringValue.writeString(e.raw, out);
            } else if (e.rawUtf8 != null) {
                out.writeInt(e.rawUtf8.length);
                out.write(e.rawUtf8);
            }
        }

        @Override
        public Event deserialize(DataInputView in) throws IOException {
            int flags = in.readByte();
            Event e = new Event();
            if ((flags & HAS_KEY) != 0) {
                e.key = StringValue.readString(in);
            }
            e.step = in.readInt();
            e.ts = in.readLong();
            if ((flags & HAS_FEATURES) != 0) {
                float[] f = new float[in.readInt()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = in.readFloat();
                }
                e.features = f;
            }
            e.end = (flags & END) != 0;
            if ((flags & HAS_RAW) != 0) {
                e.raw = StringValue.readString(in);
            } else if ((flags & HAS_RAW_UTF8) != 0) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                e.rawUtf8 = b;
            }
            return e;
        }

        @Override
        public Event deserialize(Event reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<Event> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(() -> EventSerializer.INSTANCE);
        }
    }
}
