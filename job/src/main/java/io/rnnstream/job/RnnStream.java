package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The library API: per-key recurrent classification on any {@code DataStream}, with the same operator
 * and state the CLI job runs.
 *
 * <pre>{@code
 * RnnStream.Result r = RnnStream.apply(events, ModelProvider.file(path), model.id(),
 *         StreamOptions.defaults().idleTimeout(Duration.ofSeconds(30)));
 * r.outputs().map(RecordJson::output)...;     // one record per applied event
 * r.deadLetters()...;                          // every event that could not be applied, with why
 * }</pre>
 */
public final class RnnStream {
    /** The step operator's uid: its state lives under this id in checkpoints and savepoints. */
    public static final String STEP_UID = "rnnstream-step";

    private RnnStream() {}

    /** The step stage's outputs and its dead letters (a side output of the same operator). */
    public record Result(SingleOutputStreamOperator<OutputRecord> outputs, DataStream<DeadLetter> deadLetters) {}

    /**
     * Keys {@code events} by {@link Event#key}, orders the events that carry only {@code ts} by event
     * time ({@link EventTimeOrdering}), and runs the model one step per event.
     *
     * @param model builds the model on each subtask (and once here, to check it can stream)
     * @param modelId written on every output record, e.g. {@code model.id()}
     */
    public static Result apply(DataStream<Event> events, ModelProvider model, String modelId, StreamOptions opts) {
        Model m = load(model);
        Head.check(m, opts);
        // key → order → step: one hash partition by key; the order stage's output is already
        // partitioned the same way, so the step stage chains to it without a second shuffle.
        SingleOutputStreamOperator<Event> ordered = events
                .keyBy(e -> e.key, Types.STRING)
                .process(new EventTimeOrdering(opts), TypeInformation.of(Event.class))
                .name("order").uid(EventTimeOrdering.UID);
        SingleOutputStreamOperator<OutputRecord> out = DataStreamUtils
                .reinterpretAsKeyedStream(ordered, e -> e.key, Types.STRING)
                .transform("step", TypeInformation.of(OutputRecord.class),
                        new RecurrentStepOperator(new RecurrentStepFunction(model, modelId, opts)))
                .uid(STEP_UID);
        DataStream<DeadLetter> dead = ordered.getSideOutput(RecurrentStepFunction.DEAD_LETTERS)
                .union(out.getSideOutput(RecurrentStepFunction.DEAD_LETTERS));
        return new Result(out, dead);
    }

    /**
     * The same, with hot model swap: {@code updates} reach every parallel instance (broadcast), and
     * each output names the model that produced it. What became of each update is the side output
     * {@link #modelStatus(Result)}. Null {@code updates}: exactly the one-model operator above.
     */
    public static Result apply(DataStream<Event> events, DataStream<ModelUpdate> updates, ModelProvider model,
            String modelId, StreamOptions opts) {
        if (updates == null) {
            return apply(events, model, modelId, opts);
        }
        Model m = load(model);
        Head.check(m, opts);
        // key → order → step, as above; the step stage also takes the broadcast updates.
        SingleOutputStreamOperator<Event> ordered = events
                .keyBy(e -> e.key, Types.STRING)
                .process(new EventTimeOrdering(opts), TypeInformation.of(Event.class))
                .name("order").uid(EventTimeOrdering.UID);
        SingleOutputStreamOperator<OutputRecord> out = DataStreamUtils
                .reinterpretAsKeyedStream(ordered, e -> e.key, Types.STRING)
                .connect(updates.broadcast())
                .transform("step", TypeInformation.of(OutputRecord.class),
                        new ModelSwapStepOperator(new RecurrentStepFunction(model, modelId, opts)))
                .uid(STEP_UID);
        DataStream<DeadLetter> dead = ordered.getSideOutput(RecurrentStepFunction.DEAD_LETTERS)
                .union(out.getSideOutput(RecurrentStepFunction.DEAD_LETTERS));
        return new Result(out, dead);
    }

    /**
     * RocksDB options for this job's access pattern, set wherever rnnstream configures Flink (the CLI's
     * embedded Flink, the bench, the standalone cluster, the Kubernetes manifest). Every event reads and
     * rewrites one ~560-byte value of a random key, so: no block compression (float state barely
     * compresses, and every read of a block that left the cache paid the decompression), and bloom
     * filters (a point lookup skips the files that cannot hold its key). Measured at 1,000,000 keys,
     * alternating with Flink's defaults in the same minutes: 1.3–2.1× (docs/BENCHMARKS.md).
     */
    public static final java.util.Map<String, String> ROCKSDB_OPTIONS = java.util.Map.of(
            "state.backend.rocksdb.compression.per.level", "NO_COMPRESSION",
            "state.backend.rocksdb.use-bloom-filter", "true");

    /**
     * How a failed job restarts, wherever rnnstream configures Flink (the CLI's embedded Flink, the
     * standalone cluster, the Kubernetes manifest; a test keeps the three equal). Exponential delay
     * from 1 s to 1 min, reset after 10 minutes of running, never giving up: Flink's own default
     * when checkpointing is on. The fixed delay of 3 attempts it replaces gave up for good on a
     * 260 s broker outage (each attempt blocks up to a minute on the producers' InitProducerId), so
     * the job did not come back when the broker did.
     */
    public static final java.util.Map<String, String> RESTART_OPTIONS = java.util.Map.of(
            "restart-strategy.type", "exponential-delay",
            "restart-strategy.exponential-delay.initial-backoff", "1 s",
            "restart-strategy.exponential-delay.max-backoff", "1 min",
            "restart-strategy.exponential-delay.backoff-multiplier", "2.0",
            "restart-strategy.exponential-delay.reset-backoff-threshold", "10 min",
            "restart-strategy.exponential-delay.jitter-factor", "0.1",
            "restart-strategy.exponential-delay.attempts-before-reset-backoff", "2147483647");

    /**
     * Lets chained stages hand records to each other without a deep copy (Flink's
     * {@code pipeline.object-reuse}): order → step → sink otherwise copies every event and every output
     * record through its serializer. Safe for this pipeline: no stage changes a record after emitting
     * it, and the records a stage keeps (buffered early steps, events held for ordering) are changed by
     * no one. The job's own entry points call it; a program that puts its own operators in the same job
     * must check that they keep to the same rule before calling it.
     */
    public static void enableObjectReuse(StreamExecutionEnvironment env) {
        env.getConfig().enableObjectReuse();
    }

    /** The model status records of a step stage built with updates (accepted or refused, and why). */
    public static DataStream<ModelStatus> modelStatus(Result r) {
        return r.outputs().getSideOutput(ModelSwapStepOperator.MODEL_STATUS);
    }

    /** {@link #apply(DataStream, ModelProvider, String, StreamOptions)} for a stream of the user's own records. */
    public static <T> Result apply(DataStream<T> input, EventExtractor<T> extractor, ModelProvider model,
            String modelId, StreamOptions opts) {
        DataStream<Event> events = input.map(extractor::toEvent, TypeInformation.of(Event.class))
                .name("to-event").uid("rnnstream-to-event");
        return apply(events, model, modelId, opts);
    }

    /** Event time from {@code ts} (events without one keep the record's timestamp), with bounded lateness. */
    public static WatermarkStrategy<Event> watermarks(StreamOptions opts) {
        return WatermarkStrategy.<Event>forBoundedOutOfOrderness(opts.maxOutOfOrderness())
                .withTimestampAssigner((e, previous) -> e.hasTs() ? e.ts : previous);
    }

    static Model load(ModelProvider provider) {
        try {
            return provider.get();
        } catch (ModelException e) {
            throw e;
        } catch (Exception e) {
            throw new ModelException("cannot load the model: " + e.getMessage(), e);
        }
    }
}
