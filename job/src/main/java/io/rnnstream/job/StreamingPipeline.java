package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Model;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole job, source → parse → key → step → head → sink, with the source and sinks passed in (so
 * tests plug in their own, the CLI files, production Kafka). Every operator has a stable uid, so
 * a savepoint of one release restores in the next.
 */
public final class StreamingPipeline {
    private StreamingPipeline() {}

    private static final TypeInformation<KeyedPayload> PAYLOAD = TypeInformation.of(KeyedPayload.class);

    /** What the build made, for callers that want to attach more. */
    public record Built(DataStream<Event> events, DataStream<OutputRecord> outputs,
            DataStream<DeadLetter> deadLetters) {}

    /** Lines of text in (files), JSON lines out. */
    public static Built build(StreamExecutionEnvironment env, Source<String, ?, ?> source, Sink<String> outputs,
            Sink<String> deadLetters, ModelProvider model, String modelId, StreamOptions opts) {
        DataStream<String> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "source")
                .uid("rnnstream-source");
        return build(raw, outputs, deadLetters, model, modelId, opts);
    }

    /**
     * @param rawJson one JSON event per record
     * @param modelId written on every output, e.g. {@code model.id()}
     */
    public static Built build(DataStream<String> rawJson, Sink<String> outputs, Sink<String> deadLetters,
            ModelProvider model, String modelId, StreamOptions opts) {
        DataStream<KeyedPayload> raw = rawJson
                .map(line -> new KeyedPayload(null, line), PAYLOAD)
                .name("unkeyed").uid("rnnstream-unkeyed");
        Built b = process(raw, model, modelId, opts);
        b.outputs()
                .map(RecordJson::output, Types.STRING)
                .name("head").uid("rnnstream-head")
                .sinkTo(outputs).name("sink-outputs").uid("rnnstream-sink-outputs");
        b.deadLetters()
                .map(RecordJson::deadLetter, Types.STRING)
                .name("dead-letter-json").uid("rnnstream-dead-letters")
                .sinkTo(deadLetters).name("sink-dead-letters").uid("rnnstream-sink-dead-letters");
        return b;
    }

    /**
     * Keyed records in and out (Kafka): an event without a {@code key} field takes its record's key,
     * and every output and dead letter goes out under its event's key, so one key's records stay in
     * order in one partition.
     */
    public static Built buildKeyed(DataStream<KeyedPayload> raw, Sink<KeyedPayload> outputs,
            Sink<KeyedPayload> deadLetters, ModelProvider model, String modelId, StreamOptions opts) {
        return buildKeyed(raw, null, outputs, deadLetters, null, model, modelId, opts);
    }

    /**
     * The same with hot model swap: {@code updates} (null: none) go to every step instance, and each
     * update's status record (JSON, under the model id) to {@code status} (null: the log only).
     */
    public static Built buildKeyed(DataStream<KeyedPayload> raw, DataStream<ModelUpdate> updates,
            Sink<KeyedPayload> outputs, Sink<KeyedPayload> deadLetters, Sink<KeyedPayload> status,
            ModelProvider model, String modelId, StreamOptions opts) {
        Built b = process(raw, updates, model, modelId, opts);
        if (updates != null && status != null) {
            modelStatus(b)
                    .map(st -> new KeyedPayload(st.model, st.json()), PAYLOAD)
                    .name("model-status-json").uid("rnnstream-model-status")
                    .sinkTo(status).name("sink-model-status").uid("rnnstream-sink-model-status");
        }
        sinkKeyed(b.outputs(), b.deadLetters(), outputs, deadLetters);
        return b;
    }

    /**
     * The keyed records' way out: each output and dead letter as JSON under its event's key. Public so
     * that the Kafka benchmark's anchors leave through exactly the job's own last stages.
     */
    public static void sinkKeyed(DataStream<OutputRecord> outputs, DataStream<DeadLetter> deadLetters,
            Sink<KeyedPayload> outputSink, Sink<KeyedPayload> deadLetterSink) {
        outputs
                .map(r -> new KeyedPayload(r.key, RecordJson.output(r)), PAYLOAD)
                .name("keyed-output-json").uid("rnnstream-keyed-outputs")
                .sinkTo(outputSink).name("sink-outputs").uid("rnnstream-sink-outputs");
        deadLetters
                .map(d -> new KeyedPayload(d.key, RecordJson.deadLetter(d)), PAYLOAD)
                .name("keyed-dead-letter-json").uid("rnnstream-keyed-dead-letters")
                .sinkTo(deadLetterSink).name("sink-dead-letters").uid("rnnstream-sink-dead-letters");
    }

    /** parse → timestamps → key → step, without JSON or sinks. */
    public static Built process(DataStream<KeyedPayload> raw, ModelProvider model, String modelId,
            StreamOptions opts) {
        return process(raw, null, model, modelId, opts);
    }

    /** The model status records of a pipeline built with updates (see {@link RnnStream#modelStatus}). */
    public static DataStream<ModelStatus> modelStatus(Built b) {
        return ((SingleOutputStreamOperator<OutputRecord>) b.outputs()).getSideOutput(
                ModelSwapStepOperator.MODEL_STATUS);
    }

    /** The parse stage: events out, and what could not be parsed as its side output (dead letters). */
    public static SingleOutputStreamOperator<Event> parse(DataStream<KeyedPayload> raw, Model m) {
        return raw.process(new ParseFunction(m.inputSize())).name("parse").uid("rnnstream-parse");
    }

    /** The dead letters of {@link #parse}. */
    public static DataStream<DeadLetter> parseDeadLetters(SingleOutputStreamOperator<Event> parsed) {
        return parsed.getSideOutput(RecurrentStepFunction.DEAD_LETTERS);
    }

    /** The same, the step stage also taking model updates (null: none). */
    public static Built process(DataStream<KeyedPayload> raw, DataStream<ModelUpdate> updates, ModelProvider model,
            String modelId, StreamOptions opts) {
        Model m = RnnStream.load(model);
        Head.check(m, opts);
        SingleOutputStreamOperator<Event> parsed = parse(raw, m);
        DataStream<Event> events = parsed
                .assignTimestampsAndWatermarks(RnnStream.watermarks(opts))
                .name("timestamps").uid("rnnstream-timestamps");
        // key: RnnStream.apply hash-partitions by Event.key before the step operator.
        RnnStream.Result stepped = RnnStream.apply(events, updates, model, modelId, opts);
        // No JSON here: each way out writes its own (an operator nothing reads from still runs, and the
        // Kafka path once paid for a second JSON text of every output that way).
        DataStream<DeadLetter> dead = parseDeadLetters(parsed).union(stepped.deadLetters());
        return new Built(events, stepped.outputs(), dead);
    }
}
