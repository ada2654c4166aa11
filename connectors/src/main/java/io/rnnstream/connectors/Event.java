package io.rnnstream.connectors;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One timestep of one key's sequence, as parsed from the input JSON.
 *
 * <p>A Flink POJO (public fields, no-arg constructor, only Flink-native field types) so that Flink
 * serializes it with its own PojoSerializer: no Kryo fallback, and the schema can evolve in state.
 * Optional fields use sentinels rather than boxed nulls to keep the encoding small.
 */
public class Event {
    /** {@link #step} when the event carried none: the step is its arrival position. */
    public static final int NO_STEP = -1;
    /** {@link #ts} when the event carried none: timers then run in processing time. */
    public static final long NO_TS = Long.MIN_VALUE;

    public String key;
    /** 0-based position in the sequence, or {@link #NO_STEP}. */
    public int step = NO_STEP;
    /** Event time in epoch milliseconds, or {@link #NO_TS}. */
    public long ts = NO_TS;
    public float[] features;
    /** True on the sequence's last step. */
    public boolean end;
    /** The payload the event was parsed from, kept for dead letters; null for events built in code. */
    public String raw;
    /**
     * The payload's UTF-8 bytes, where the event was read straight from them and its text is not made
     * until a dead letter needs it ({@link #rawText()}): a String of every event cost the job's source
     * a copy of each record (docs/BENCHMARKS.md, session 27). Transient, so it is not one of the POJO's
     * fields: a stage that keeps the event in state calls {@link #keepRaw()} first.
     */
    public transient byte[] rawUtf8;

    public Event() {}

    public Event(String key, int step, long ts, float[] features, boolean end) {
        this.key = key;
        this.step = step;
        this.ts = ts;
        this.features = features;
        this.end = end;
    }

    /** The payload's text, made from {@link #rawUtf8} the first time it is asked for; null for events built in code. */
    public String rawText() {
        if (raw == null && rawUtf8 != null) {
            raw = new String(rawUtf8, StandardCharsets.UTF_8);
        }
        return raw;
    }

    /** Makes the payload's text a field of the event, for an event about to be kept in state. */
    public void keepRaw() {
        rawText();
        rawUtf8 = null;
    }

    public boolean hasStep() {
        return step != NO_STEP;
    }

    public boolean hasTs() {
        return ts != NO_TS;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e && Objects.equals(key, e.key) && step == e.step && ts == e.ts
                && Arrays.equals(features, e.features) && end == e.end && Objects.equals(rawText(), e.rawText());
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, step, ts, end) * 31 + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        String r = rawText();
        return r != null ? r : RecordJson.event(this);
    }
}
