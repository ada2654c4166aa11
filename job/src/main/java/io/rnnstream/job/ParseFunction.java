package io.rnnstream.job;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventParser;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** The parse stage: JSON line → {@link Event}, or a dead letter saying what is wrong with it. */
public class ParseFunction extends ProcessFunction<String, Event> {
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
    public void processElement(String raw, Context ctx, Collector<Event> out) {
        linesIn.inc();
        EventParser.Result r = parser.parse(raw);
        if (r.ok()) {
            out.collect(r.event());
        } else {
            deadLetters.inc();
            ctx.output(RecurrentStepFunction.DEAD_LETTERS, r.deadLetter());
        }
    }
}
