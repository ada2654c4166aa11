package io.rnnstream.sql;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.DeadLetterReason;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.order.TsOrder;
import io.rnnstream.job.step.Emitter;
import io.rnnstream.job.step.SequenceCore;
import io.rnnstream.job.step.StepCounts;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * {@code RNN_CLASSIFY(input => TABLE events PARTITION BY key, model => 'models/x.rnns', …)}: the
 * DataStream job's step stage as a process table function. Each PARTITION BY key is one sequence
 * at a time; each input row advances it by one step (in {@code step} order, early steps buffered) and
 * yields one output row, the record the DataStream job writes; idle timeouts add one row. A row that
 * cannot be applied (duplicate, late, wrong features…) yields a row with {@code error} set instead of
 * failing the job, counted: the core's {@code rnnstream.deadLetters} metric, plus
 * {@code rnnstream.rowsRefused} for rows that are no event at all (a null feature). See docs/SQL.md.
 *
 * <p>The sequence rules and the model arithmetic are the job's own {@link SequenceCore}; this class
 * only translates between rows and the core's types ({@link PtfState}, {@link PtfTimers}).
 *
 * <p>Event-time order (the DataStream job's order stage, {@link TsOrder}'s rules): with {@code on_time},
 * a row with no {@code step} (no such column, or null) is held until the watermark passes its time and
 * then applied in time order (rows of one time in arrival order); one beyond {@code max_buffered_steps}
 * held rows is an error row. A row at or behind the watermark would be a late error row by the same
 * rules, but Flink 2.2.1's PTF runtime drops it before {@code eval} (docs/SQL.md). Rows with a
 * {@code step} go straight to the core, which orders them by step.
 *
 * <p>State (Flink-serialized structured types, no Kryo): {@code sequence} is the job's
 * {@link SequenceMeta} (recurrent state and bookkeeping: one read and one write per row);
 * {@code early_steps} holds out-of-order steps (a map view: touched only by early rows);
 * {@code held_by_ts} and {@code held_count} the rows waiting for the watermark ({@link PtfHeld});
 * {@code call} keeps this call's arguments, written when a sequence starts, because {@code onTimer} receives
 * no scalar arguments in Flink 2.2 and a timer may fire before any row after a restore.
 *
 * <p>No Flink state TTL ({@code ttl = "0"}): on the heap backend, Flink 2.2's TTL for PTF state runs
 * incremental cleanup on every access, which took about a third of the function's throughput
 * (docs/SQL.md); keys are forgotten by the core's own timers instead (an ended sequence one idle
 * period after its end, with {@code on_time} and {@code idle_timeout}).
 */
// Rows are emitted in Flink's internal format: no conversion of each output row (measured: docs/SQL.md).
@DataTypeHint(value = "ROW<step INT, output ARRAY<FLOAT>, label STRING, label_index INT, `final` BOOLEAN,"
        + " decision BOOLEAN, model STRING, reason STRING, error STRING, `raw` STRING>", bridgedTo = RowData.class)
public class RnnClassify extends ProcessTableFunction<RowData> {
    private static final long serialVersionUID = 1L;

    /** The name SQL calls it by, registered by {@code ./rnnstream sql}; SQL Client users pick their own. */
    public static final String NAME = "RNN_CLASSIFY";

    /** State names: part of the savepoint format (with the call's uid), so never rename them. */
    static final String STATE_SEQUENCE = "sequence";
    static final String STATE_EARLY_STEPS = "early_steps";
    static final String STATE_CALL = "call";
    static final String STATE_HELD = "held_by_ts";
    static final String STATE_HELD_COUNT = "held_count";

    private transient StepDriver driver;
    private transient Counter rowsRefused;
    private transient RowEvents.Columns columns;

    @Override
    public void open(FunctionContext context) throws Exception {
        var g = context.getMetricGroup().addGroup("rnnstream");
        rowsRefused = g.counter("rowsRefused");
        // The core's counts, under the DataStream job's metric names (docs/STREAMING.md).
        for (String name : new StepCounts().asMap().keySet()) {
            if (!name.equals("deadLetters")) {
                g.gauge(name, () -> driver == null ? 0L : driver.core().counts().asMap().get(name));
            }
        }
        // One operator does both stages' work here: its dead letters are the order stage's and the core's.
        g.gauge("deadLetters", () -> driver == null ? 0L : driver.core().counts().deadLetters
                + driver.order().deadLetters());
        // The order stage's own counts, under the DataStream order stage's names.
        g.gauge("reordered", () -> driver == null ? 0L : driver.order().reordered);
        g.gauge("lateEvents", () -> driver == null ? 0L : driver.order().lateEvents);
        g.gauge("bufferOverflows", () -> driver == null ? 0L : driver.order().overflows);
        // Dead letters by kind, under the DataStream job's label (`reason`, docs/STREAMING.md): the order
        // stage's kinds, the core's, and rows that are no event at all as bad_field.
        for (DeadLetterReason r : DeadLetterReason.values()) {
            if (DeadLetterReason.ORDER.contains(r) || DeadLetterReason.STEP.contains(r)) {
                g.addGroup("reason", r.label()).gauge("deadLetters", () -> deadLetters(r));
            }
        }
    }

    private long deadLetters(DeadLetterReason r) {
        long refused = r == DeadLetterReason.BAD_FIELD ? rowsRefused.getCount() : 0;
        if (driver == null) {
            return refused;
        }
        return refused + switch (r) {
            case LATE_EVENT -> driver.order().lateEvents;
            case BUFFER_OVERFLOW -> driver.order().overflows;
            default -> driver.core().counts().deadLettersByReason[r.ordinal()];
        };
    }

    public void eval(Context ctx,
            @StateHint(name = STATE_SEQUENCE, ttl = "0") SequenceMeta sequence,
            @StateHint(name = STATE_EARLY_STEPS, ttl = "0") MapView<Integer, Event> earlySteps,
            @StateHint(name = STATE_CALL, ttl = "0") MapView<String, String> call,
            @StateHint(name = STATE_HELD, ttl = "0") MapView<Long, List<Event>> held,
            @StateHint(name = STATE_HELD_COUNT, ttl = "0") MapView<String, Integer> heldCount,
            @ArgumentHint(value = ArgumentTrait.SET_SEMANTIC_TABLE, name = "input") Row input,
            @ArgumentHint(name = "model") String model,
            @ArgumentHint(name = "sequence_length", isOptional = true) Integer sequenceLength,
            @ArgumentHint(name = "idle_timeout", isOptional = true) String idleTimeout,
            @ArgumentHint(name = "decide_at_confidence", isOptional = true) Double decideAtConfidence,
            @ArgumentHint(name = "max_buffered_steps", isOptional = true) Integer maxBufferedSteps)
            throws Exception {
        CallArgs args = CallArgs.builder().model(model).sequenceLength(sequenceLength).idleTimeout(CallArgs.duration("idle_timeout", idleTimeout))
                .decideAtConfidence(decideAtConfidence).maxBufferedSteps(maxBufferedSteps).build();
        StepDriver d = driver(args);
        if (columns == null) {
            columns = RowEvents.Columns.of(ctx);
        }
        RowEvents.Parsed parsed = RowEvents.parse(ctx, columns, input);
        if (args.idleTimeout() != null && parsed.event() != null && !parsed.event().hasTs()) {
            throw new IllegalArgumentException(NAME + ": idle_timeout needs event time: pass on_time => DESCRIPTOR(…)"
                    + " naming a watermarked column (Flink 2.2 gives process table functions no processing-time"
                    + " timers)");
        }
        if (!sequence.active) {
            // Once per sequence, not per row: a timer of this key must find them after a restore, and
            // rewriting them at each start keeps them as fresh as the sequence under a state TTL.
            args.saveTo(call);
        }
        if (parsed.error() != null) {
            rowsRefused.inc();
            new Rows().deadLetter(new DeadLetter(parsed.raw(), parsed.error(), parsed.key()));
            return;
        }
        PtfState state = new PtfState(ctx, parsed.key(), sequence, earlySteps);
        PtfTimers timers = new PtfTimers(ctx);
        PtfHeld heldView = new PtfHeld(held, heldCount);
        Rows rows = new Rows();
        // Through the order stage's rules: a row with a step (or without on_time) passes straight on.
        d.order().onEvent(parsed.event(), timers.currentWatermark(), heldView, new Ordered(d, state, timers, rows));
        fireOverdue(d, state, timers, rows);
        state.finish(heldView);
    }

    public void onTimer(OnTimerContext ctx, SequenceMeta sequence, MapView<Integer, Event> earlySteps,
            MapView<String, String> call, MapView<Long, List<Event>> held, MapView<String, Integer> heldCount)
            throws Exception {
        CallArgs saved = CallArgs.loadFrom(call);
        StepDriver d = saved != null ? driver(saved) : driver;
        if (d == null) {
            // The arguments expired (state TTL) and no row has come since a restore: nothing can run.
            return;
        }
        // No key here (a timer has no row): records need none, Flink puts the PARTITION BY columns in front
        // of every row, and buffered events that become dead letters carry their own.
        PtfState state = new PtfState(ctx, null, sequence, earlySteps);
        PtfTimers timers = new PtfTimers(ctx);
        PtfHeld heldView = new PtfHeld(held, heldCount);
        Rows rows = new Rows();
        long at = ctx.timeContext(Long.class).time();
        if (PtfTimers.isWake(ctx.currentTimer())) {
            // The watermark passed held rows. It may have passed several of this key's held times at once:
            // all of them leave now, in time order, before any core timer the same watermark passed fires
            // (fireOverdue), as the DataStream order stage releases them all before the watermark reaches
            // the step stage. Their own wakes are deleted, so each held time is released once.
            Ordered out = new Ordered(d, state, timers, rows);
            for (long ts : heldView.dueBy(timers.currentWatermark())) {
                if (ts != at) {
                    timers.clearWake(ts);
                }
                d.order().onWake(ts, heldView, out);
            }
        } else {
            d.core().onTimer(at, state, timers, rows);
        }
        fireOverdue(d, state, timers, rows);
        state.finish(heldView);
    }

    /**
     * Fires the core's timer that the watermark had already passed when the core set it (Flink's PTF
     * runtime would drop it: {@link PtfTimers}). Firing may set the next one (forget the ended sequence
     * later), which is overdue too only with a zero idle timeout; that ends by itself, as the key clears.
     */
    private static void fireOverdue(StepDriver d, PtfState state, PtfTimers timers, Rows rows) throws Exception {
        for (long t = timers.takeOverdue(); t != SequenceMeta.NO_TIMER; t = timers.takeOverdue()) {
            d.core().onTimer(t, state, timers, rows);
        }
    }

    /** Built on the first row (or timer): only then does a call's arguments reach the function. */
    private StepDriver driver(CallArgs args) throws Exception {
        if (driver == null || !driver.args().equals(args)) {
            driver = new StepDriver(args);
        }
        return driver;
    }

    /** The order stage's decisions: released rows go to the core, refused ones become error rows. */
    private static final class Ordered implements TsOrder.Out {
        private final StepDriver d;
        private final PtfState state;
        private final PtfTimers timers;
        private final Rows rows;

        Ordered(StepDriver d, PtfState state, PtfTimers timers, Rows rows) {
            this.d = d;
            this.state = state;
            this.timers = timers;
            this.rows = rows;
        }

        @Override
        public void event(Event e) {
            try {
                d.core().onEvent(e, state, timers, rows);
            } catch (RuntimeException ex) {
                throw ex;
            } catch (Exception ex) {
                // State access failed (the backend's, e.g. RocksDB I/O): the job restarts from its checkpoint.
                throw new IllegalStateException(NAME + ": state access failed", ex);
            }
        }

        @Override
        public void deadLetter(Event e, String why) {
            rows.deadLetter(new DeadLetter(e.rawText() != null ? e.rawText() : RecordJson.event(e), why, e.key));
        }

        @Override
        public void wakeAt(long ts) {
            timers.wake(ts);
        }
    }

    /** Turns the core's records into this function's output rows. */
    private final class Rows implements Emitter {
        @Override
        public void output(OutputRecord r) {
            boolean classifies = r.labelIndex != OutputRecord.NO_LABEL;
            String label = r.labelName != null ? r.labelName : classifies ? Integer.toString(r.labelIndex) : null;
            collect(GenericRowData.of(r.step, new GenericArrayData(r.output), string(label),
                    classifies ? r.labelIndex : null, r.last, r.decision, string(r.model), string(r.reason), null,
                    null));
        }

        @Override
        public void deadLetter(DeadLetter d) {
            collect(GenericRowData.of(null, null, null, null, null, null, null, null, string(d.error), string(d.raw)));
        }
    }

    private static StringData string(String s) {
        return s == null ? null : StringData.fromString(s);
    }
}
