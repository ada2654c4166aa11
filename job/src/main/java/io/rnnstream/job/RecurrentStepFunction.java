package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Advances each key's recurrent state by exactly one {@link StepKernel#step} per applied event and
 * emits the head's output for that step. Run it through {@link RecurrentStepOperator}, which adds the
 * end-of-input handling a bounded input needs (buffered steps become dead letters).
 *
 * <p>Per key it keeps one {@link SequenceMeta}: the recurrent state (every layer's h, and an LSTM's c)
 * with the bookkeeping (next step, decision flag, timer, buffer count), so that an in-order event costs
 * one state read and one state write; and a bounded buffer of early steps, touched only by events that
 * arrive ahead of their turn. The last output is not stored: an idle-timeout record computes it again
 * from h ({@link io.rnnstream.model.StepKernel#outputOf}). Every input event ends as exactly one output
 * record or one dead letter; idle timeouts add one record each, counted apart.
 */
public class RecurrentStepFunction extends KeyedProcessFunction<String, Event, OutputRecord> {
    private static final long serialVersionUID = 1L;

    /** Dead letters of the step stage (duplicates, late and missing steps, over-full buffer). */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    public static final String REASON_IDLE = "idle-timeout";
    public static final String REASON_END_OF_INPUT = "end-of-input";

    /** State names: part of the savepoint format, so never rename them. */
    static final String STATE_META = "sequence-meta";
    /** Where release 0.1.0 kept the recurrent state and the last output; read only to migrate a key. */
    static final String LEGACY_STATE_MODEL = "model-state";
    static final String LEGACY_STATE_LAST_OUTPUT = "last-output";
    static final String STATE_BUFFER = "early-steps";

    private final ModelProvider modelProvider;
    private final String modelId;
    private final StreamOptions opts;

    /** The job's own model and any accepted updates; every step looks up its sequence's model here. */
    private transient ServedModels models;

    private transient ValueState<SequenceMeta> metaState;
    private transient ValueState<float[]> legacyModelState;
    private transient ValueState<float[]> legacyLastOutput;
    private transient MapState<Integer, Event> buffer;

    private transient Counter eventsIn;
    private transient Counter outputs;
    private transient Counter deadLetters;
    private transient Counter idleTimeouts;
    private transient Counter endOfInputFinals;
    private transient Counter ttlExpiries;
    private transient Counter retiredModelEnds;
    private transient Histogram stepNanos;
    private transient long activeSequences;
    /** The key being processed: each entry point sets it (the end-of-input path has no Context). */
    private transient String key;

    /**
     * @param modelId written on every output record; the caller computes it (e.g. {@code model.id()})
     */
    public RecurrentStepFunction(ModelProvider modelProvider, String modelId, StreamOptions opts) {
        this.modelProvider = modelProvider;
        this.modelId = modelId;
        this.opts = opts;
    }

    /** Where records go: the operator's collector and side output, or the end-of-input path's. */
    interface Emitter {
        void output(OutputRecord r);

        void deadLetter(DeadLetter d);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        Model model = modelProvider.get();
        Head.check(model, opts);
        // One kernel per model and subtask: it owns scratch buffers, and a subtask runs one event at a time.
        models = new ServedModels(model, modelId, opts);

        // Flink's own serializers throughout (primitive float arrays, POJOs): no Kryo fallback, and
        // the state stays readable when classes evolve.
        // The legacy values keep their 0.1.0 descriptors (serializer and TTL) so that its savepoints restore.
        ValueStateDescriptor<float[]> modelDesc = new ValueStateDescriptor<>(LEGACY_STATE_MODEL,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        ValueStateDescriptor<float[]> lastDesc = new ValueStateDescriptor<>(LEGACY_STATE_LAST_OUTPUT,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        ValueStateDescriptor<SequenceMeta> metaDesc =
                new ValueStateDescriptor<>(STATE_META, TypeInformation.of(SequenceMeta.class));
        MapStateDescriptor<Integer, Event> bufferDesc = new MapStateDescriptor<>(STATE_BUFFER,
                BasicTypeInfo.INT_TYPE_INFO, TypeInformation.of(Event.class));
        StateTtlConfig ttl = ttlConfig(opts.effectiveStateTtl());
        if (ttl != null) {
            modelDesc.enableTimeToLive(ttl);
            lastDesc.enableTimeToLive(ttl);
            metaDesc.enableTimeToLive(ttl);
            bufferDesc.enableTimeToLive(ttl);
        }
        metaState = getRuntimeContext().getState(metaDesc);
        legacyModelState = getRuntimeContext().getState(modelDesc);
        legacyLastOutput = getRuntimeContext().getState(lastDesc);
        buffer = getRuntimeContext().getMapState(bufferDesc);

        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("rnnstream");
        eventsIn = g.counter("eventsIn");
        outputs = g.counter("outputs");
        deadLetters = g.counter("deadLetters");
        idleTimeouts = g.counter("idleTimeouts");
        endOfInputFinals = g.counter("endOfInputFinals");
        ttlExpiries = g.counter("ttlExpiries");
        retiredModelEnds = g.counter("retiredModelEnds");
        stepNanos = g.histogram("stepLatencyNanos", new DescriptiveStatisticsHistogram(1024));
        // Sequences running on this subtask: started minus ended, plus those restored from a
        // checkpoint (RecurrentStepOperator counts them once, on restore, through countRestored).
        g.gauge("activeSequences", () -> activeSequences);
        activeSequences = 0;
    }

    /** On restore, once per restored key (the operator has set it as the current key). */
    void countRestored() throws Exception {
        SequenceMeta meta = metaState.value();
        if (meta != null && meta.active) {
            activeSequences++;
        }
    }

    /** This subtask's counters since open(), by metric name (for tests and diagnostics). */
    public Map<String, Long> counts() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("eventsIn", eventsIn.getCount());
        m.put("outputs", outputs.getCount());
        m.put("deadLetters", deadLetters.getCount());
        m.put("idleTimeouts", idleTimeouts.getCount());
        m.put("endOfInputFinals", endOfInputFinals.getCount());
        m.put("ttlExpiries", ttlExpiries.getCount());
        m.put("retiredModelEnds", retiredModelEnds.getCount());
        m.put("activeSequences", activeSequences);
        return m;
    }

    static StateTtlConfig ttlConfig(Duration ttl) {
        if (ttl == null) {
            return null;
        }
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<OutputRecord> out) throws Exception {
        Emitter emit = new Emitter() {
            @Override
            public void output(OutputRecord r) {
                out.collect(r);
            }

            @Override
            public void deadLetter(DeadLetter d) {
                ctx.output(DEAD_LETTERS, d);
            }
        };
        process(e, ctx.timerService(), emit);
    }

    void process(Event e, TimerService timers, Emitter emit) throws Exception {
        eventsIn.inc();
        key = e.key;
        SequenceMeta meta = metaState.value();
        if (meta != null && meta.timer != SequenceMeta.NO_TIMER && meta.timerEventTime && e.hasTs()
                && e.ts >= meta.timer) {
            // The key's event-time deadline has passed whatever the watermark says: act as if the timer
            // had fired first, so a replay gives the same records however watermarks interleave.
            timers.deleteEventTimeTimer(meta.timer);
            meta.timer = SequenceMeta.NO_TIMER;
            deadline(meta, REASON_IDLE, timers, emit);
            meta = metaState.value();
        }
        if (meta == null) {
            meta = new SequenceMeta();
        }
        String bad = badFeatures(e);
        if (bad != null) {
            // Events built in code skip the parser's checks; the kernel must never see them.
            dead(emit, e, bad);
            return;
        }
        int s = e.hasStep() ? e.step : (meta.active ? meta.nextStep : 0);
        int t = opts.sequenceLength();
        if (t > 0 && s >= t) {
            dead(emit, e, "step " + s + " is beyond the sequence length " + t + " (--sequence-length): steps run 0.."
                    + (t - 1));
            return;
        }
        if (meta.active) {
            if (s < meta.nextStep) {
                dead(emit, e, "duplicate: step " + s + " was already applied");
                return;
            }
            if (s > meta.nextStep) {
                bufferEarly(meta, e, s, meta.nextStep, timers, emit);
                return;
            }
        } else if (s > 0) {
            if (meta.endedAt >= 0 && (meta.endedByTimeout || s <= meta.endedAt)) {
                dead(emit, e, "late: step " + s + " arrived after its sequence ended at step " + meta.endedAt
                        + (meta.endedByTimeout ? " (idle timeout)" : ""));
                return;
            }
            // Perhaps an early step of a new sequence whose step 0 is on its way.
            bufferEarly(meta, e, s, 0, timers, emit);
            return;
        } else {
            startSequence(meta);
            meta.model = models.assign(assignmentTime(e, timers));
        }
        apply(meta, e, s, timers, emit);
        drain(meta, timers, emit);
        if (meta.active) {
            // An ended sequence was already written (or cleared) by endSequence.
            metaState.update(meta);
        }
    }

    private String badFeatures(Event e) {
        int d = models.inputSize();
        if (e.features == null) {
            return "missing \"features\": expected an array of " + d + " numbers";
        }
        if (e.features.length != d) {
            return "wrong feature count: the model expects " + d + " features per step, the event has "
                    + e.features.length;
        }
        for (int i = 0; i < d; i++) {
            if (!Float.isFinite(e.features[i])) {
                return "feature " + i + " is " + e.features[i];
            }
        }
        if (e.step < Event.NO_STEP) {
            return "\"step\" must be a non-negative integer, not " + e.step;
        }
        return null;
    }

    private void startSequence(SequenceMeta meta) {
        meta.active = true;
        meta.nextStep = 0;
        meta.decided = false;
        meta.endedAt = -1;
        meta.endedByTimeout = false;
        activeSequences++;
    }

    private void bufferEarly(SequenceMeta meta, Event e, int s, int waitingFor, TimerService timers, Emitter emit)
            throws Exception {
        int max = opts.maxBufferedSteps();
        if (s - waitingFor > max) {
            dead(emit, e, "step " + s + " is beyond the buffer: waiting for step " + waitingFor + ", and at most "
                    + max + " steps ahead of it are kept (--max-buffered-steps)");
            return;
        }
        if (buffer.contains(s)) {
            dead(emit, e, "duplicate: step " + s + " is already buffered");
            return;
        }
        buffer.put(s, e);
        meta.buffered++;
        if (e.hasTs()) {
            meta.maxTs = Math.max(meta.maxTs, e.ts);
        }
        armIdleTimer(meta, e, timers);
        metaState.update(meta);
    }

    /** Applies the buffered steps that now follow in order. */
    private void drain(SequenceMeta meta, TimerService timers, Emitter emit) throws Exception {
        while (meta.active && meta.buffered > 0) {
            Event next = buffer.get(meta.nextStep);
            if (next == null) {
                return;
            }
            buffer.remove(meta.nextStep);
            meta.buffered--;
            apply(meta, next, meta.nextStep, timers, emit);
        }
    }

    /** One StepKernel.step: the only place the model runs. */
    private void apply(SequenceMeta meta, Event e, int s, TimerService timers, Emitter emit) throws Exception {
        ServedModels.Served m = models.get(meta.model);
        boolean switched = false;
        if (s > 0 && opts.swapPolicy().switchesRunning()) {
            String target = models.assign(assignmentTime(e, timers));
            ServedModels.Served t = java.util.Objects.equals(target, meta.model) ? null : models.get(target);
            // Carrying state needs the same recurrent layers; updates that differ were refused under
            // switch-carry, so this only guards a job restarted with another policy.
            if (t != null && (opts.swapPolicy() == SwapPolicy.SWITCH_RESET || m == null || t.layout.equals(m.layout))) {
                m = t;
                meta.model = target;
                switched = true;
            }
        }
        if (m == null) {
            retiredModelEnds.inc();
            dead(emit, e, "model retired: step " + s + " cannot continue its sequence on model " + meta.model
                    + ", retired after " + ServedModels.RETAINED_SUPERSEDED + " newer model updates");
            endSequence(meta, s - 1, true, "its model was retired", timers, emit);
            return;
        }
        float[] state = s == 0 ? m.kernel.newState() : carried(meta);
        if (state == null) {
            // Only a key restored from a 0.1.0 savepoint can get here: its state lived in another value,
            // which the TTL could expire apart from the bookkeeping.
            ttlExpiries.inc();
            dead(emit, e, "state expired: step " + s + " cannot continue a sequence whose state the TTL removed"
                    + " (raise --state-ttl)");
            endSequence(meta, s - 1, true, "its sequence's state expired", timers, emit);
            return;
        }
        if (switched && opts.swapPolicy() == SwapPolicy.SWITCH_RESET) {
            state = m.kernel.newState();
        }
        long t0 = System.nanoTime();
        float[] y = m.kernel.step(state, e.features);
        stepNanos.update(System.nanoTime() - t0);
        // Written back with the bookkeeping, in one state write, by the caller.
        meta.state = state;
        meta.nextStep = s + 1;
        if (e.hasTs()) {
            meta.maxTs = Math.max(meta.maxTs, e.ts);
        }

        OutputRecord r = record(m, y.clone(), s, state);
        if (opts.decides() && !meta.decided && m.head.decides(r.output)) {
            meta.decided = true;
            r.decision = true;
        }
        int t = opts.sequenceLength();
        r.last = e.end || (t > 0 && s + 1 == t);
        emit.output(r);
        outputs.inc();
        if (r.last) {
            endSequence(meta, s, false, null, timers, emit);
        } else {
            if (!m.outputFromState) {
                // No stage changes an emitted record (the premise of object reuse), so sharing its array is safe.
                meta.lastOutput = r.output;
            }
            armIdleTimer(meta, e, timers);
        }
    }

    private OutputRecord record(ServedModels.Served m, float[] y, int step, float[] state) {
        OutputRecord r = new OutputRecord();
        r.key = key;
        r.step = step;
        r.output = y;
        r.labelIndex = m.head.labelIndex(y);
        r.labelName = m.head.labelName(r.labelIndex);
        r.model = m.id;
        if (opts.emitHidden()) {
            r.hidden = java.util.Arrays.copyOfRange(state, m.hiddenOffset, m.hiddenOffset + m.hiddenSize);
        }
        return r;
    }

    /**
     * The time that picks a sequence's model: its event's {@code ts}, so a replay picks the same model;
     * the wall clock for events without one.
     */
    private static long assignmentTime(Event e, TimerService timers) {
        if (e.hasTs()) {
            return e.ts;
        }
        return timers != null ? timers.currentProcessingTime() : System.currentTimeMillis();
    }

    SwapPolicy policy() {
        return opts.swapPolicy();
    }

    /** The models this subtask serves (the two-input operator attaches broadcast state and offers updates). */
    ServedModels models() {
        return models;
    }

    /**
     * Ends the running sequence (or the buffered steps waiting for a step 0): buffered steps become
     * dead letters, state is cleared, and a tombstone remembers where it ended so that later steps of
     * it are called late.
     */
    private void endSequence(SequenceMeta meta, int lastStep, boolean byTimeout, String why, TimerService timers,
            Emitter emit) throws Exception {
        if (meta.buffered > 0) {
            List<Map.Entry<Integer, Event>> left = new ArrayList<>();
            for (Map.Entry<Integer, Event> en : buffer.entries()) {
                left.add(Map.entry(en.getKey(), en.getValue()));
            }
            left.sort(Map.Entry.comparingByKey());
            int missing = meta.active ? meta.nextStep : 0;
            for (Map.Entry<Integer, Event> en : left) {
                int k = en.getKey();
                String reason;
                if (why != null) {
                    reason = "missing step " + missing + ": step " + k + " waited for it until " + why;
                } else {
                    reason = "late: step " + k + " arrived for a sequence that ended at step " + lastStep;
                }
                dead(emit, en.getValue(), reason);
            }
            buffer.clear();
            meta.buffered = 0;
        }
        if (meta.active) {
            activeSequences--;
            meta.endedAt = lastStep;
            meta.endedByTimeout = byTimeout;
        }
        long lastTs = meta.maxTs;
        if (meta.active && meta.state == null) {
            // A key restored from a 0.1.0 savepoint that ends before its state was migrated.
            legacyModelState.clear();
            legacyLastOutput.clear();
        }
        meta.state = null;
        meta.lastOutput = null;
        meta.active = false;
        meta.nextStep = 0;
        meta.decided = false;
        meta.maxTs = Event.NO_TS;
        meta.model = null;
        deleteTimer(meta, timers);
        Duration idle = opts.idleTimeout();
        if (timers != null && idle != null && meta.endedAt >= 0) {
            // Remember the ended sequence for one more idle period (to call its stragglers late), then
            // forget the key.
            boolean eventTime = lastTs != Event.NO_TS;
            long now = eventTime ? Math.max(timers.currentWatermark(), lastTs) : timers.currentProcessingTime();
            registerTimer(meta, timers, eventTime, saturatedAdd(now, idle.toMillis()));
        }
        if (meta.endedAt < 0 && meta.timer == SequenceMeta.NO_TIMER) {
            metaState.clear();
        } else {
            metaState.update(meta);
        }
    }

    private void armIdleTimer(SequenceMeta meta, Event e, TimerService timers) {
        Duration idle = opts.idleTimeout();
        if (idle == null || timers == null) {
            return;
        }
        deleteTimer(meta, timers);
        // Event time when events carry ts (a replay then ends sequences at the same steps); else the
        // wall clock.
        if (e.hasTs()) {
            registerTimer(meta, timers, true, saturatedAdd(meta.maxTs, idle.toMillis()));
        } else {
            registerTimer(meta, timers, false, saturatedAdd(timers.currentProcessingTime(), idle.toMillis()));
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static void registerTimer(SequenceMeta meta, TimerService timers, boolean eventTime, long at) {
        if (eventTime) {
            timers.registerEventTimeTimer(at);
        } else {
            timers.registerProcessingTimeTimer(at);
        }
        meta.timer = at;
        meta.timerEventTime = eventTime;
    }

    private static void deleteTimer(SequenceMeta meta, TimerService timers) {
        if (meta.timer != SequenceMeta.NO_TIMER && timers != null) {
            if (meta.timerEventTime) {
                timers.deleteEventTimeTimer(meta.timer);
            } else {
                timers.deleteProcessingTimeTimer(meta.timer);
            }
        }
        meta.timer = SequenceMeta.NO_TIMER;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutputRecord> out) throws Exception {
        Emitter emit = new Emitter() {
            @Override
            public void output(OutputRecord r) {
                out.collect(r);
            }

            @Override
            public void deadLetter(DeadLetter d) {
                ctx.output(DEAD_LETTERS, d);
            }
        };
        timer(timestamp, ctx.getCurrentKey(), ctx.timerService(), emit);
    }

    /** A timer of the current key fired (the body of {@link #onTimer}, for operators without its Context). */
    void timer(long timestamp, String currentKey, TimerService timers, Emitter emit) throws Exception {
        key = currentKey;
        SequenceMeta meta = metaState.value();
        if (meta == null) {
            // The timer outlived its key's state: the TTL removed the state first (e.g. an event-time
            // timer whose watermark stalled). The sequence ends without its idle-timeout record.
            ttlExpiries.inc();
            return;
        }
        if (meta.timer != timestamp) {
            return;
        }
        meta.timer = SequenceMeta.NO_TIMER;
        // A watermark at +∞ means the input ended: no further event can come for any key.
        boolean endOfInput = meta.timerEventTime && timers.currentWatermark() == Long.MAX_VALUE;
        deadline(meta, endOfInput ? REASON_END_OF_INPUT : REASON_IDLE, timers, emit);
    }

    /** The bounded input has ended: every running sequence and buffered step is finished now. */
    void endOfInput(String currentKey, Emitter emit) throws Exception {
        key = currentKey;
        SequenceMeta meta = metaState.value();
        if (meta == null) {
            return;
        }
        if (meta.active || meta.buffered > 0) {
            deadline(meta, REASON_END_OF_INPUT, null, emit);
        }
    }

    /** No event came in time (or none will): end what is running, or forget an ended sequence. */
    private void deadline(SequenceMeta meta, String reason, TimerService timers, Emitter emit) throws Exception {
        if (meta.active) {
            float[] state = carried(meta);
            ServedModels.Served m = models.get(meta.model);
            float[] last = null;
            if (state != null && m != null) {
                // The output of the last applied step, computed again from h: the same floats it had.
                last = m.outputFromState ? m.kernel.outputOf(state).clone() : meta.lastOutput;
            }
            if (state == null || (m != null && last == null)) {
                ttlExpiries.inc();
            } else if (m == null) {
                retiredModelEnds.inc();
            } else {
                OutputRecord r = record(m, last, meta.nextStep - 1, state);
                r.last = true;
                r.reason = reason;
                emit.output(r);
                if (REASON_IDLE.equals(reason)) {
                    idleTimeouts.inc();
                } else {
                    endOfInputFinals.inc();
                }
            }
            endSequence(meta, meta.nextStep - 1, true, reason.equals(REASON_IDLE) ? "the idle timeout"
                    : "the input ended", timers, emit);
        } else if (meta.buffered > 0) {
            endSequence(meta, meta.endedAt, meta.endedByTimeout, reason.equals(REASON_IDLE) ? "the idle timeout"
                    : "the input ended", timers, emit);
        } else {
            metaState.clear();
        }
    }

    /**
     * The running sequence's recurrent state. A key restored from a 0.1.0 savepoint has it in that
     * release's own value: it moves into the bookkeeping here, once, on the key's first event or timer
     * (new sequences never take this path, so it costs the hot path nothing).
     */
    private float[] carried(SequenceMeta meta) throws Exception {
        if (meta.state != null) {
            return meta.state;
        }
        float[] legacy = legacyModelState.value();
        if (legacy != null) {
            meta.state = legacy;
            meta.lastOutput = legacyLastOutput.value();
            legacyModelState.clear();
            legacyLastOutput.clear();
        }
        return meta.state;
    }

    private void dead(Emitter emit, Event e, String why) {
        emit.deadLetter(new DeadLetter(e.raw != null ? e.raw : RecordJson.event(e), why, e.key));
        deadLetters.inc();
    }
}
