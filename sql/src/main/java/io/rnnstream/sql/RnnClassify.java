package io.rnnstream.sql;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.step.Emitter;
import io.rnnstream.job.step.SequenceCore;
import io.rnnstream.job.step.StepCounts;
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
 * <p>State (Flink-serialized structured types, no Kryo): {@code sequence} is the job's
 * {@link SequenceMeta} (recurrent state and bookkeeping: one read and one write per row);
 * {@code early_steps} holds out-of-order steps (a map view: touched only by early rows);
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

    private transient StepDriver driver;
    private transient Counter rowsRefused;

    @Override
    public void open(FunctionContext context) throws Exception {
        var g = context.getMetricGroup().addGroup("rnnstream");
        rowsRefused = g.counter("rowsRefused");
        // The core's counts, under the DataStream job's metric names (docs/STREAMING.md).
        for (String name : new StepCounts().asMap().keySet()) {
            g.gauge(name, () -> driver == null ? 0L : driver.core().counts().asMap().get(name));
        }
    }

    public void eval(Context ctx,
            @StateHint(name = STATE_SEQUENCE, ttl = "0") SequenceMeta sequence,
            @StateHint(name = STATE_EARLY_STEPS, ttl = "0") MapView<Integer, Event> earlySteps,
            @StateHint(name = STATE_CALL, ttl = "0") MapView<String, String> call,
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
        RowEvents.Parsed parsed = RowEvents.parse(ctx, input);
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
        d.core().onEvent(parsed.event(), state, new PtfTimers(ctx), new Rows());
        state.finish();
    }

    public void onTimer(OnTimerContext ctx, SequenceMeta sequence, MapView<Integer, Event> earlySteps,
            MapView<String, String> call) throws Exception {
        CallArgs saved = CallArgs.loadFrom(call);
        StepDriver d = saved != null ? driver(saved) : driver;
        if (d == null) {
            // The arguments expired (state TTL) and no row has come since a restore: nothing can run.
            return;
        }
        // No key here (a timer has no row): records need none, Flink puts the PARTITION BY columns in front
        // of every row, and buffered events that become dead letters carry their own.
        PtfState state = new PtfState(ctx, null, sequence, earlySteps);
        d.core().onTimer(ctx.timeContext(Long.class).time(), state, new PtfTimers(ctx), new Rows());
        state.finish();
    }

    /** Built on the first row (or timer): only then does a call's arguments reach the function. */
    private StepDriver driver(CallArgs args) throws Exception {
        if (driver == null || !driver.args().equals(args)) {
            driver = new StepDriver(args);
        }
        return driver;
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
