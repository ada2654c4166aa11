package io.rnnstream.job.parse;

import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.DeadLetterReason;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.DeadLetters;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The parse stage: JSON (or Avro) record → {@link Event}, or a dead letter saying what is wrong with it.
 * The record's own key (Kafka's record key) stands in only when the event has no key of its own.
 */
public class ParseFunction extends ProcessFunction<KeyedPayload, Event> {
    private static final long serialVersionUID = 1L;

    private final EventParser parser;
    private final WireFormat format;
    private transient Counter linesIn;
    private transient Counter deadLetters;
    /** By {@link DeadLetterReason#ordinal()}; made once, so a refusal costs one lookup and one increment. */
    private transient Counter[] byReason;

    /** @param featureCount the model's D: events with another count are dead letters */
    public ParseFunction(int featureCount) {
        this(featureCount, WireFormat.JSON);
    }

    /** @param format how each record's value is encoded: JSON text, or Avro binary (docs/KAFKA.md) */
    public ParseFunction(int featureCount, WireFormat format) {
        this.parser = new EventParser(featureCount);
        this.format = format;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("rnnstream");
        linesIn = g.counter("linesIn");
        deadLetters = g.counter("parseDeadLetters");
        byReason = new Counter[DeadLetterReason.values().length];
        for (DeadLetterReason r : DeadLetterReason.PARSE) {
            byReason[r.ordinal()] = g.addGroup("reason", r.label()).counter("deadLetters");
        }
    }

    @Override
    public void processElement(KeyedPayload raw, Context ctx, Collector<Event> out) {
        linesIn.inc();
        EventParser.Result r = format == WireFormat.AVRO
                ? AvroRecords.event(raw.bytes(), raw.key, parser.featureCount())
                : raw.value != null ? parser.parse(raw.value, raw.key) : parser.parse(raw.payload, raw.key);
        if (r.ok()) {
            out.collect(r.event());
        } else {
            deadLetters.inc();
            byReason[DeadLetterReason.ofParseError(r.deadLetter().error).ordinal()].inc();
            ctx.output(DeadLetters.TAG, r.deadLetter());
        }
    }
}
