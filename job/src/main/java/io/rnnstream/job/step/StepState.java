package io.rnnstream.job.step;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.SequenceMetaSerializer;
import io.rnnstream.job.StateTtl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

/**
 * {@link KeyState} in Flink managed keyed state, for the operator's current key. No Kryo: the per-key
 * value has its own serializer ({@link SequenceMetaSerializer}, versioned, migrating POJO-written
 * savepoints), the early steps Flink's POJO and int serializers.
 */
final class StepState implements KeyState {
    /** State names: part of the savepoint format, so never rename them. */
    static final String META = "sequence-meta";
    static final String EARLY = "early-steps";

    private final ValueState<SequenceMeta> meta;
    private final MapState<Integer, Event> early;
    private final ReleaseZeroOneState legacy;
    private final Supplier<String> key;
    private Object primedKey;
    private SequenceMeta primed;

    StepState(StreamingRuntimeContext ctx, Duration ttl, Supplier<String> key) {
        ValueStateDescriptor<SequenceMeta> metaDesc =
                new ValueStateDescriptor<>(META, new SequenceMetaSerializer());
        MapStateDescriptor<Integer, Event> earlyDesc = new MapStateDescriptor<>(EARLY, BasicTypeInfo.INT_TYPE_INFO,
                TypeInformation.of(Event.class));
        StateTtlConfig ttlConfig = StateTtl.of(ttl);
        if (ttlConfig != null) {
            metaDesc.enableTimeToLive(ttlConfig);
            earlyDesc.enableTimeToLive(ttlConfig);
        }
        this.meta = ctx.getState(metaDesc);
        this.early = ctx.getMapState(earlyDesc);
        this.legacy = new ReleaseZeroOneState(ctx, ttlConfig);
        this.key = key;
    }

    @Override
    public String key() {
        return key.get();
    }

    /**
     * The next {@link #meta()} for key {@code k} returns {@code m} without reading the state again: the
     * bundle read it a moment ago, and nothing of that key changed since (on RocksDB a read is a
     * deserialization; on the heap it returns this same object).
     */
    void prime(Object k, SequenceMeta m) {
        primedKey = k;
        primed = m;
    }

    @Override
    public SequenceMeta meta() throws Exception {
        if (primedKey != null) {
            Object k = primedKey;
            SequenceMeta p = primed;
            primedKey = null;
            primed = null;
            if (k.equals(key.get())) {
                return p;
            }
        }
        SequenceMeta m = meta.value();
        if (m != null && m.active && m.state == null && legacy.moveInto(m)) {
            meta.update(m);
        }
        return m;
    }

    @Override
    public void update(SequenceMeta m) throws Exception {
        meta.update(m);
    }

    @Override
    public void clear() {
        meta.clear();
    }

    @Override
    public Event early(int step) throws Exception {
        return early.get(step);
    }

    @Override
    public boolean hasEarly(int step) throws Exception {
        return early.contains(step);
    }

    @Override
    public void putEarly(int step, Event e) throws Exception {
        early.put(step, e);
    }

    @Override
    public void removeEarly(int step) throws Exception {
        early.remove(step);
    }

    @Override
    public List<Map.Entry<Integer, Event>> earlySteps() throws Exception {
        List<Map.Entry<Integer, Event>> all = new ArrayList<>();
        for (Map.Entry<Integer, Event> en : early.entries()) {
            all.add(Map.entry(en.getKey(), en.getValue()));
        }
        return all;
    }

    @Override
    public void clearEarly() {
        early.clear();
    }
}
