package io.rnnstream.job.parse;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.job.DeadLetters;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The parse stage: JSON record → {@link Event}, or a dead letter saying what is wrong with it. The
 * record's own key (Kafka's record key) stands in only when the JSON has no {@code key} field.
 */
public class ParseFunction extends ProcessFunction<KeyedPayload, Event> {
    private static final long serialVersionUID = 1L;

    private final EventParser parser;
    private transient Counter linesIn;
    private transient Counter deadLetters;

    /** @param featureCount the model's D: events with another count are dead letters */
    public ParseFunction(int featureCount) {
        this.parser = new EventParser(featureCount);
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("rnnstream");
        linesIn = g.counter("linesIn");
        deadLetters = g.counter("parseDeadLetters");
    }

    @Override
    public void processElement(KeyedPayload raw, Context ctx, Collector<Event> out) {
        linesIn.inc();
        EventParser.Result r = parser.parse(raw.payload, raw.key);
        if (r.ok()) {
            out.collect(r.event());
        } else {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, r.deadLetter());
        }
    }
}
