package io.rnnstream.job.step;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.DeadLetterReason;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.SourceIdle;
import io.rnnstream.job.CountView;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.ModelAssignment;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.swap.BroadcastMap;
import io.rnnstream.job.swap.ModelStatus;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.job.swap.ServedModels;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.OutputTag;

/**
 * The step stage: the {@link SequenceCore} in a keyed Flink operator. It reads and writes the key's
 * state, fires its timers, publishes its counts as metrics and hears the end of a bounded input (so
 * steps still buffered and sequences never closed get their records instead of vanishing). The rules
 * are the core's; this class only adapts.
 *
 * <p>Events only ({@link #processElement}) or, with hot model swap, events and broadcast model updates
 * ({@link #processElement1}, {@link #processElement2}): one class either way, so emitting, end of
 * input, restored counting and metrics exist once. Both inputs run on the task's one thread, so an
 * update is applied between two events, never during one. Event time comes from the events alone: the
 * update input's watermarks are ignored, so a model topic silent for days holds back no idle timer.
 */
public class StepOperator extends AbstractStreamOperator<OutputRecord>
        implements OneInputStreamOperator<Event, OutputRecord>, TwoInputStreamOperator<Event, ModelUpdate, OutputRecord>,
        Triggerable<String, VoidNamespace>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    /** What became of each model update (accepted or refused, and why), from subtask 0. */
    public static final OutputTag<ModelStatus> MODEL_STATUS =
            new OutputTag<>("model-status", TypeInformation.of(ModelStatus.class));

    /** Broadcast state names: part of the savepoint format, so never rename them. */
    static final MapStateDescriptor<String, byte[]> FILES = new MapStateDescriptor<>("model-files", Types.STRING,
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    static final MapStateDescriptor<Long, ModelAssignment> HISTORY = new MapStateDescriptor<>("model-history",
            Types.LONG, TypeInformation.of(ModelAssignment.class));
    /** The timer service's name: the one Flink's KeyedProcessOperator used, so 0.1.0's timers restore. */
    private static final String TIMERS = "user-timers";

    private final ModelProvider modelProvider;
    private final String modelId;
    private final StreamOptions opts;
    private final boolean modelUpdates;

    private transient SequenceCore core;
    private transient StepState state;
    private transient TimestampedCollector<OutputRecord> collector;
    private transient FlinkTimers timers;
    private transient Emitter emit;
    private transient boolean restored;
    /** The timestamp dead letters carry: the current event's, or an event-time timer's. */
    private transient long deadLetterTs;
    private transient boolean hasDeadLetterTs;
    private transient MetricGroup servedModelGroup;
    private transient java.util.Set<String> servedModelGauges;
    private transient volatile String servedModel;
    /** Null when events are stepped one at a time (--step-bundle 1). */
    private transient StepBundle bundle;
    /** Whether events come fast enough to fill a bundle within its wait (decided every wait). */
    private transient boolean bundling;
    private transient int arrivedSinceTick;
    /** The bundles' tick while events come; null once IDLE_TICKS waits in a row saw none. */
    private transient ScheduledFuture<?> tick;
    private transient int idleTicks;
    /**
     * A subtask without events stops its tick after this many empty waits (100 ms at the default 1 ms),
     * so that an idle job does not wake its task a thousand times a second; the next event starts it again.
     */
    static final int IDLE_TICKS = 100;
    /** Set once the source chained to this stage said it ran dry ({@link SourceIdle}): then no tick is needed. */
    private transient boolean sourceSignals;
    private transient AutoCloseable sourceIdleListener;

    /**
     * @param modelId written on every output record (e.g. {@code model.id()})
     * @param modelUpdates whether it runs with the model-update input (then connect it to a broadcast stream)
     */
    public StepOperator(ModelProvider modelProvider, String modelId, StreamOptions opts, boolean modelUpdates) {
        this.modelProvider = modelProvider;
        this.modelId = modelId;
        this.opts = opts;
        this.modelUpdates = modelUpdates;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        // One kernel per model and subtask: it owns scratch buffers, and a subtask runs one event at a time.
        ServedModels models = new ServedModels(modelProvider.get(), modelId, opts);
        if (modelUpdates) {
            models.attach(new BroadcastMap<>(getOperatorStateBackend().getBroadcastState(FILES)),
                    new BroadcastMap<>(getOperatorStateBackend().getBroadcastState(HISTORY)));
        }
        core = new SequenceCore(models, opts);
        state = new StepState(getRuntimeContext(), opts.effectiveStateTtl(), () -> (String) getCurrentKey());
        collector = new TimestampedCollector<>(output);
        InternalTimerService<VoidNamespace> internal =
                getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        timers = new FlinkTimers(internal);
        emit = new Emitter() {
            @Override
            public void output(OutputRecord r) {
                collector.collect(r);
            }

            @Override
            public void deadLetter(DeadLetter d) {
                output.collect(DeadLetters.TAG, hasDeadLetterTs ? new StreamRecord<>(d, deadLetterTs)
                        : new StreamRecord<>(d));
            }
        };
        servedModelGauges = new java.util.HashSet<>();
        registerMetrics(getMetricGroup().addGroup("rnnstream"));
        if (opts.stepBundle() > 1) {
            bundle = new StepBundle(opts.stepBundle(), core::timedStep, core.stepNanos());
            core.stepWith(bundle);
            // Events are stepped as they come until the first wait has shown a bundle's worth of them.
            bundling = false;
            sourceIdleListener = SourceIdle.onThisThread(this::onSourceIdle);
        }
        if (restored) {
            countRestored();
        }
    }

    private void registerMetrics(MetricGroup g) {
        StepCounts c = core.counts();
        g.counter("eventsIn", new CountView(() -> c.eventsIn));
        g.counter("outputs", new CountView(() -> c.outputs));
        g.counter("deadLetters", new CountView(() -> c.deadLetters));
        g.counter("idleTimeouts", new CountView(() -> c.idleTimeouts));
        g.counter("endOfInputFinals", new CountView(() -> c.endOfInputFinals));
        g.counter("ttlExpiries", new CountView(() -> c.ttlExpiries));
        g.counter("retiredModelEnds", new CountView(() -> c.retiredModelEnds));
        g.gauge("activeSequences", () -> c.activeSequences);
        Histogram stepNanos = g.histogram("stepLatencyNanos", new DescriptiveStatisticsHistogram(1024));
        core.timeSteps(stepNanos::update);
        for (DeadLetterReason r : DeadLetterReason.STEP) {
            g.addGroup("reason", r.label())
                    .counter("deadLetters", new CountView(() -> c.deadLettersByReason[r.ordinal()]));
        }
        servedModelGroup = g;
        showServedModel();
    }

    /**
     * Keeps the modelServed gauges current: 1 under the id of the model a sequence starting now gets, 0
     * under each id this subtask served before (Flink cannot unregister a gauge; the set is bounded by
     * the job's model updates and starts anew with the job). Read on the reporter's thread, so it reads
     * only a volatile id that the task thread writes.
     */
    private void showServedModel() {
        String id = core.models().latestId();
        servedModel = id;
        if (servedModelGauges.add(id)) {
            servedModelGroup.addGroup("model", id).gauge("modelServed", () -> id.equals(servedModel) ? 1 : 0);
        }
    }

    /**
     * The activeSequences gauge counts what starts and ends here; the sequences already running when
     * the checkpoint was taken are counted once now, in one pass over this subtask's restored keys
     * (reads only, under the iterator, so no list of every key is needed).
     */
    private void countRestored() throws Exception {
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(StepState.META, VoidNamespace.INSTANCE)) {
            for (Iterator<String> it = s.iterator(); it.hasNext(); ) {
                setCurrentKey(it.next());
                SequenceMeta meta = state.meta();
                if (meta != null && meta.active) {
                    core.counts().activeSequences++;
                }
            }
        }
    }

    /** The model id whose modelServed gauge shows 1 now (for tests). */
    String servedModel() {
        return servedModel;
    }

    /** Steps taken from a bundle's batched product since open() (for tests). */
    long bundledSteps() {
        return bundle == null ? 0 : bundle.taken();
    }

    /** This subtask's counts since open(), by metric name (for tests and diagnostics). */
    public StepCounts counts() {
        return core.counts();
    }

    @Override
    public void processElement(StreamRecord<Event> element) throws Exception {
        if (bundle != null) {
            arrivedSinceTick++;
            if (tick == null && !sourceSignals) {
                long wait = opts.stepBundleWait().toMillis();
                tick = getProcessingTimeService().scheduleWithFixedDelay(t -> tick(), wait, wait);
            }
            if (bundling) {
                if (bundle.add(getCurrentKey(), element.getValue(), element.getTimestamp(), element.hasTimestamp())) {
                    flush();
                }
                return;
            }
        }
        collector.setTimestamp(element);
        deadLetterTs = element.getTimestamp();
        hasDeadLetterTs = element.hasTimestamp();
        core.onEvent(element.getValue(), state, timers, emit);
    }

    /**
     * Steps the bundled events: reads each key's state once, steps the keys' next steps together, then
     * hands the events to the core in arrival order, as if they had just arrived (the core takes the
     * results it would have computed). Everything that must see these events first (a watermark, a
     * timer, a model update, a checkpoint barrier, the end of the input) calls this before it acts.
     */
    private void flush() throws Exception {
        if (bundle == null || bundle.isEmpty()) {
            return;
        }
        try {
            int n = bundle.size();
            for (int i = 0; i < n; i++) {
                if (bundle.firstOfKey(i)) {
                    setCurrentKey(bundle.key(i));
                    SequenceMeta meta = state.meta();
                    bundle.readAhead(i, meta, core.nextStepKernel(meta, bundle.event(i)));
                }
            }
            bundle.stepAhead();
            for (int i = 0; i < n; i++) {
                setCurrentKey(bundle.key(i));
                if (bundle.firstOfKey(i)) {
                    state.prime(bundle.key(i), bundle.meta(i));
                }
                if (bundle.hasTimestamp(i)) {
                    collector.setAbsoluteTimestamp(bundle.timestamp(i));
                } else {
                    collector.eraseTimestamp();
                }
                deadLetterTs = bundle.timestamp(i);
                hasDeadLetterTs = bundle.hasTimestamp(i);
                bundle.enter(i);
                core.onEvent(bundle.event(i), state, timers, emit);
            }
        } finally {
            bundle.clear();
            state.prime(null, null);
        }
    }

    /**
     * Every --step-bundle-wait while events come: the time bound (a bundle that did not fill is stepped
     * now), and whether to bundle until the next tick. Only while at least a bundle's worth of events
     * arrived in the last wait: then a bundle fills before its bound, and waiting costs each event less
     * than the bundle saves; slower, each event would wait the whole bound for nothing, so events are
     * stepped as they come.
     */
    private void tick() throws Exception {
        if (tick == null) {
            // Stopped already: this run's mail was queued while the task was busy (loading a model, say),
            // when the timer thread kept firing. Nothing can be bundled while stopped.
            return;
        }
        flush();
        bundling = arrivedSinceTick >= opts.stepBundle();
        idleTicks = arrivedSinceTick == 0 ? idleTicks + 1 : 0;
        arrivedSinceTick = 0;
        if (idleTicks >= IDLE_TICKS) {
            tick.cancel(false);
            tick = null;
            idleTicks = 0;
        }
    }

    /**
     * The source chained to this stage has no record to give now: what the bundle holds is stepped before
     * the task goes idle. From the first such signal on, the source's own rhythm bounds each bundle's wait
     * (a bundle holds at most the rest of one fetched batch), so events are always bundled and the tick
     * stops: no timer wakes the task while events come. Events that reach this stage outside the source's
     * poll are the order stage's, released by a watermark; that watermark follows them here and steps the
     * bundle ({@link #processWatermark}).
     */
    private void onSourceIdle() {
        if (!sourceSignals) {
            sourceSignals = true;
            bundling = true;
            if (tick != null) {
                tick.cancel(false);
                tick = null;
            }
        }
        try {
            flush();
        } catch (Exception e) {
            throw new FlinkRuntimeException("stepping the bundle when the source ran dry: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws Exception {
        if (sourceIdleListener != null) {
            sourceIdleListener.close();
            sourceIdleListener = null;
        }
        super.close();
    }

    /** Whether the bundles' tick runs now (for tests). */
    boolean ticking() {
        return tick != null;
    }

    /** {@link #flush()} from inside a timer callback, whose key Flink set and expects back. */
    private void flushKeeping(Object key) throws Exception {
        if (bundle != null && !bundle.isEmpty()) {
            flush();
            setCurrentKey(key);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        // Before the barrier: the bundle's events are in no checkpoint's state, and their outputs must
        // leave ahead of it (exactly-once commits what precedes the barrier).
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // Event-time timers fire in super.processWatermark: the events that came before the watermark first.
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void processElement1(StreamRecord<Event> element) throws Exception {
        processElement(element);
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        flush();
        ModelStatus s = core.models().offer(element.getValue(), opts.swapPolicy());
        showServedModel();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            output.collect(MODEL_STATUS, new StreamRecord<>(s));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flushKeeping(timer.getKey());
        collector.setAbsoluteTimestamp(timer.getTimestamp());
        deadLetterTs = timer.getTimestamp();
        hasDeadLetterTs = true;
        core.onTimer(timer.getTimestamp(), state, timers, emit);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flushKeeping(timer.getKey());
        collector.eraseTimestamp();
        hasDeadLetterTs = false;
        core.onTimer(timer.getTimestamp(), state, timers, emit);
    }

    /** Event time is the events' alone (see the class comment). */
    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // the model updates carry no event time of the stream
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) {
        if (inputIndex == 0) {
            output.emitWatermarkStatus(status);
        }
    }

    /**
     * The events' input ended (input 1; the model updates' end changes nothing): every running sequence
     * gets its end-of-input record and every buffered step its dead letter. Processing-time timers never
     * fire after the input ends, so without this they would vanish without a record.
     */
    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId != 1) {
            return;
        }
        flush();
        List<String> keys;
        // Collect first: the core clears state, which must not happen under a live key iterator.
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(StepState.META, VoidNamespace.INSTANCE)) {
            keys = s.sorted().collect(Collectors.toList());
        }
        collector.eraseTimestamp();
        hasDeadLetterTs = false;
        for (String k : keys) {
            setCurrentKey(k);
            core.onEndOfInput(state, emit);
        }
    }
}
