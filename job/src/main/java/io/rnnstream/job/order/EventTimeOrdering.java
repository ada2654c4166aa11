package io.rnnstream.job.order;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.DeadLetterReason;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.job.CountView;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.StateTtl;
import io.rnnstream.job.StreamOptions;
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
    /** Built without a key shuffle (one subtask holds every key): true only while it runs as one subtask. */
    private final boolean unshuffled;

    private transient TsOrder order;
    private transient MapState<Long, List<Event>> held;
    private transient ValueState<Integer> count;
    private transient TsOrder.Held heldView;
    private transient FlinkOut out;

    public EventTimeOrdering(StreamOptions opts) {
        this(opts, false);
    }

    /** {@code unshuffled}: the events come straight from the source, without Flink's keyBy (KeyShuffle). */
    public EventTimeOrdering(StreamOptions opts, boolean unshuffled) {
        this.opts = opts;
        this.unshuffled = unshuffled;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        if (unshuffled && subtasks > 1) {
            // Without the shuffle each subtask would see keys whose state lives on another: stop before any
            // event is stepped on the wrong subtask.
            throw new IllegalStateException("this job was built for one subtask without a key shuffle, but runs on "
                    + subtasks + " (a scheduler rescaled it): build it with --key-shuffle always, or submit it again"
                    + " at the new parallelism from a savepoint");
        }
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
        heldView = new TsOrder.Held() {
            @Override
            public List<Event> at(long ts) throws Exception {
                return held.get(ts);
            }

            @Override
            public void put(long ts, List<Event> events) throws Exception {
                held.put(ts, events);
            }

            @Override
            public void remove(long ts) throws Exception {
                held.remove(ts);
            }

            @Override
            public int count() throws Exception {
                Integer n = count.value();
                return n == null ? 0 : n;
            }

            @Override
            public void count(int n) throws Exception {
                if (n > 0) {
                    count.update(n);
                } else {
                    count.clear();
                }
            }
        };
        order = new TsOrder(opts);
        out = new FlinkOut();
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("rnnstream");
        g.counter("eventsIn", new CountView(() -> order.eventsIn));
        g.counter("reordered", new CountView(() -> order.reordered));
        g.counter("lateEvents", new CountView(() -> order.lateEvents));
        g.counter("bufferOverflows", new CountView(() -> order.overflows));
        g.counter("deadLetters", new CountView(order::deadLetters));
        g.counter("ttlExpiries", new CountView(() -> order.ttlExpiries));
        // The same counts as lateEvents and bufferOverflows, under the reason label every stage uses.
        g.addGroup("reason", DeadLetterReason.LATE_EVENT.label())
                .counter("deadLetters", new CountView(() -> order.lateEvents));
        g.addGroup("reason", DeadLetterReason.BUFFER_OVERFLOW.label())
                .counter("deadLetters", new CountView(() -> order.overflows));
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        order.onEvent(e, ctx.timerService().currentWatermark(), heldView, this.out.to(ctx, out));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) throws Exception {
        // Timers fire in time order as the watermark passes them, so the key's events leave sorted by ts.
        order.onWake(timestamp, heldView, this.out.to(ctx, out));
    }

    /** The stage's way out, pointed at the current call's context (one object, no allocation per event). */
    private static final class FlinkOut implements TsOrder.Out {
        private Context ctx;
        private Collector<Event> collector;

        FlinkOut to(Context c, Collector<Event> o) {
            this.ctx = c;
            this.collector = o;
            return this;
        }

        @Override
        public void event(Event e) {
            collector.collect(e);
        }

        @Override
        public void deadLetter(Event e, String why) {
            ctx.output(DeadLetters.TAG, new DeadLetter(e.rawText() != null ? e.rawText() : RecordJson.event(e), why, e.key));
        }

        @Override
        public void wakeAt(long ts) {
            // Flink keeps one timer per key and time however often it is asked.
            ctx.timerService().registerEventTimeTimer(ts);
        }
    }
}
