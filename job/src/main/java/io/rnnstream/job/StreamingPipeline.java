package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Model;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole job, source → parse → key → step → head → sink, with the source and sinks passed in (so
 * tests and the CLI plug in their own). Every stateful operator has a stable uid.
 */
public final class StreamingPipeline {
    private StreamingPipeline() {}

    /** What the build made, for callers that want to attach more. */
    public record Built(DataStream<Event> events, DataStream<OutputRecord> outputs, DataStream<String> outputJson,
            DataStream<DeadLetter> deadLetters) {}

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
        Model m = RnnStream.load(model);
        Head.check(m, opts);
        SingleOutputStreamOperator<Event> parsed = rawJson
                .process(new ParseFunction(m.inputSize()))
                .name("parse").uid("rnnstream-parse");
        DataStream<Event> events = parsed
                .assignTimestampsAndWatermarks(RnnStream.watermarks(opts))
                .name("timestamps").uid("rnnstream-timestamps");
        // key: RnnStream.apply hash-partitions by Event.key before the step operator.
        RnnStream.Result stepped = RnnStream.apply(events, model, modelId, opts);
        DataStream<String> json = stepped.outputs()
                .map(RecordJson::output, Types.STRING)
                .name("head").uid("rnnstream-head");
        json.sinkTo(outputs).name("sink-outputs").uid("rnnstream-sink-outputs");
        DataStream<DeadLetter> dead = parsed.getSideOutput(RecurrentStepFunction.DEAD_LETTERS)
                .union(stepped.deadLetters());
        dead.map(RecordJson::deadLetter, Types.STRING)
                .name("dead-letters").uid("rnnstream-dead-letters")
                .sinkTo(deadLetters).name("sink-dead-letters").uid("rnnstream-sink-dead-letters");
        return new Built(events, stepped.outputs(), json, dead);
    }
}
