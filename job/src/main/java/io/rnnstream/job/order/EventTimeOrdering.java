package io.rnnstream.job.order;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.StateTtl;
import io.rnnstream.job.StreamOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The order stage, before the step stage: events that carry {@code ts} but no {@code step} are held per
 * key until the watermark passes their {@code ts}, then released in {@code ts} order. Events with a
 * {@code step} pass straight through (the step stage orders them by step), and so do events with
 * neither (arrival order).
 *
 * <p>Events of one key with the same {@code ts} keep their arrival order. That order is what this
 * operator's input gives, so it is the same on every replay when each key's events come through one
 * ordered channel (one Kafka partition, one file), and a restore keeps it: the held lists are in the
 * checkpoint in arrival order, and the source replays what followed in the same order.
 *
 * <p>An event whose {@code ts} is at or behind the watermark when it arrives is late (its turn has
 * passed) and becomes a dead letter, as does an event that finds its key's buffer full. The final
 * watermark of a bounded input releases everything still held.
 */
public class EventTimeOrdering extends KeyedProcessFunction<String, Event, Event> {
    private static final long serialVersionUID = 1L;

    /** The order stage's uid: its held events live under this id in checkpoints and savepoints. */
    public static final String UID = "rnnstream-order";

    /** State names: part of the savepoint format, so never rename them. */
    static final String STATE_HELD = "held-by-ts";
    static final String STATE_COUNT = "held-count";

    private final StreamOptions opts;

    private transient MapState<Long, List<Event>> held;
    private transient ValueState<Integer> count;

    private transient Counter eventsIn;
    private transient Counter reordered;
    private transient Counter lateEvents;
    private transient Counter overflows;
    private transient Counter deadLetters;
    private transient Counter ttlExpiries;

    public EventTimeOrdering(StreamOptions opts) {
        this.opts = opts;
    }

    /** Whether the order stage holds this event (else it passes through at once). */
    static boolean ordersByTs(Event e) {
        return e.hasTs() && !e.hasStep();
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        // Flink's own serializers: a ListSerializer over Event's PojoSerializer, no Kryo fallback.
        MapStateDescriptor<Long, List<Event>> heldDesc = new MapStateDescriptor<>(STATE_HELD,
                BasicTypeInfo.LONG_TYPE_INFO, new ListTypeInfo<>(TypeInformation.of(Event.class)));
        ValueStateDescriptor<Integer> countDesc = new ValueStateDescriptor<>(STATE_COUNT, BasicTypeInfo.INT_TYPE_INFO);
        // The same TTL as the step stage's state: it bounds the memory of keys whose watermark stalled.
        StateTtlConfig ttl = StateTtl.of(opts.effectiveStateTtl());
        if (ttl != null) {
            heldDesc.enableTimeToLive(ttl);
            countDesc.enableTimeToLive(ttl);
        }
        held = getRuntimeContext().getMapState(heldDesc);
        count = getRuntimeContext().getState(countDesc);

        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("rnnstream");
        eventsIn = g.counter("eventsIn");
        reordered = g.counter("reordered");
        lateEvents = g.counter("lateEvents");
        overflows = g.counter("bufferOverflows");
        deadLetters = g.counter("deadLetters");
        ttlExpiries = g.counter("ttlExpiries");
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        eventsIn.inc();
        if (!ordersByTs(e)) {
            out.collect(e);
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (e.ts <= watermark) {
            lateEvents.inc();
            dead(ctx, e, "late event: ts " + e.ts + " is behind the watermark " + watermark + " (the largest ts seen"
                    + " minus --max-out-of-orderness " + opts.maxOutOfOrderness().toMillis() + " ms), so the events after it"
                    + " were already applied; raise --max-out-of-orderness to wait longer");
            return;
        }
        Integer n = count.value();
        int waiting = n == null ? 0 : n;
        int max = opts.maxBufferedSteps();
        if (waiting >= max) {
            overflows.inc();
            dead(ctx, e, "buffer full: " + waiting + " events of this key already wait for the watermark (now "
                    + watermark + ") to pass their ts, and at most " + max + " are kept (--max-buffered-steps);"
                    + " raise it, or lower --max-out-of-orderness");
            return;
        }
        List<Event> same = held.get(e.ts);
        if (same == null) {
            same = new ArrayList<>(1);
            // One timer per distinct ts: Flink keeps one per key and time however often it is asked.
            ctx.timerService().registerEventTimeTimer(e.ts);
        }
        same.add(e);
        held.put(e.ts, same);
        count.update(waiting + 1);
        reordered.inc();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) throws Exception {
        // Timers fire in time order as the watermark passes them, so the key's events leave sorted by ts.
        List<Event> due = held.get(timestamp);
        if (due == null) {
            // The TTL removed the held events first (a watermark that stalled for longer than the TTL).
            ttlExpiries.inc();
            return;
        }
        held.remove(timestamp);
        for (Event e : due) {
            out.collect(e);
        }
        Integer n = count.value();
        int left = (n == null ? 0 : n) - due.size();
        if (left > 0) {
            count.update(left);
        } else {
            count.clear();
        }
    }

    private void dead(Context ctx, Event e, String why) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG,
                new DeadLetter(e.raw != null ? e.raw : RecordJson.event(e), why, e.key));
    }
}
