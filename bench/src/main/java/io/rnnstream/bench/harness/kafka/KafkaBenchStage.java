package io.rnnstream.bench.harness.kafka;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.KeyShuffle;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.Pipeline;
import io.rnnstream.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * What runs between the generator and the measuring consumer. {@link #RNNSTREAM} is the job; the others
 * are its anchors, each taking away one more part: the keyed step ({@link #KEYED}), the keyBy
 * ({@link #PASSTHROUGH}), the job itself ({@link #KAFKA}). {@link #RELAY} and {@link #RELAY_SERDE} read and write
 * the same records with the same Kafka clients and no Flink ({@link KafkaRelay}): what any job costs per
 * event to read and write them. {@link #ENGINE} is the step operator alone,
 * without Kafka ({@code rnnstream bench}), for the job's CPU per event next to its engine's.
 */
public enum KafkaBenchStage {
    ENGINE("engine", "the step operator alone, in one JVM (rnnstream bench, heap)"),
    KAFKA("kafka", "Kafka alone: producer → topic → consumer, no job"),
    RELAY("relay", "the Kafka clients alone, no Flink: a consumer and a producer on one thread copy each event"),
    RELAY_SERDE("relay-serde", "the relay + the job's serde work: each event read, an output-shaped record written"),
    PASSTHROUGH("passthrough", "the job's source, parse and sink; no keyBy, no step"),
    KEYED("keyed", "passthrough + keyBy + one keyed ValueState update, no step"),
    RNNSTREAM("rnnstream", "the job: source → parse → key → order → step → sink");

    private final String label;
    private final String description;

    KafkaBenchStage(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** True for the stages that run a Flink job reading and writing Kafka. */
    public boolean runsJob() {
        return this == PASSTHROUGH || this == KEYED || this == RNNSTREAM;
    }

    /** True for the relays: no Flink job, but a consumer and producer in the job's JVM ({@link KafkaRelay}). */
    public boolean relays() {
        return this == RELAY || this == RELAY_SERDE;
    }

    /** True where the harness's JVM does the stage's work, so its CPU per event is the job's column. */
    public boolean measuresJobJvm() {
        return runsJob() || relays();
    }

    /** "engine,kafka,…" */
    public static String names() {
        return Arrays.stream(values()).map(KafkaBenchStage::label).collect(Collectors.joining(","));
    }

    public static KafkaBenchStage parse(String s) {
        for (KafkaBenchStage st : values()) {
            if (st.label.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return st;
            }
        }
        throw new IllegalArgumentException("--stages takes " + names() + ", not '" + s + "'");
    }

    public static List<KafkaBenchStage> parseList(List<String> names) {
        List<KafkaBenchStage> out = new ArrayList<>();
        for (String n : names) {
            out.add(parse(n));
        }
        return out;
    }

    /**
     * Adds this stage's job between {@code raw} (the job's Kafka source) and the sinks: the job's own
     * parse stage and its own way out ({@link Pipeline#sink}), in the run's format, so the anchors differ from
     * the job only in what they leave out.
     */
    void build(DataStream<KeyedPayload> raw, Sink<KeyedPayload> outputs, Sink<KeyedPayload> deadLetters,
            ModelProvider model, Model m, StreamOptions opts, WireFormat format, KeyShuffle keyShuffle) {
        if (this == RNNSTREAM) {
            Pipeline.builder().model(model).modelId(m.id()).options(opts).records(raw).format(format)
                    .keyShuffle(keyShuffle)
                    .outputSink(outputs).deadLetterSink(deadLetters).build();
            return;
        }
        if (!runsJob()) {
            throw new IllegalStateException(label + " runs no Flink job");
        }
        SingleOutputStreamOperator<Event> parsed = Pipeline.parse(raw, m.inputSize(), format);
        DataStream<DeadLetter> dead = parsed.getSideOutput(DeadLetters.TAG);
        TypeInformation<OutputRecord> outType = TypeInformation.of(OutputRecord.class);
        DataStream<OutputRecord> out = this == PASSTHROUGH
                ? Pipeline.deadLettersFlushedLazily(parsed).map(new FixedOutput(m), outType).name("fixed-output")
                : parsed.keyBy(e -> e.key, Types.STRING).process(new CountPerKey(m), outType).name("count-per-key");
        Pipeline.sink(out, dead, outputs, deadLetters, format);
    }

    /**
     * One output record per event with the model's output size and id, so each output's JSON is about as
     * long as the job's: the sink's cost stays the same, only the step is missing.
     */
    static final class FixedOutput implements MapFunction<Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final float[] output;
        private final String modelId;

        FixedOutput(Model m) {
            this.output = output(m);
            this.modelId = m.id();
        }

        /** The model's output size of full-length decimals, as probabilities print. */
        static float[] output(Model m) {
            float[] output = new float[m.outputSize()];
            for (int i = 0; i < output.length; i++) {
                output[i] = 1f / (i + 3);
            }
            return output;
        }

        @Override
        public OutputRecord map(Event e) {
            return record(e, output, modelId);
        }

        static OutputRecord record(Event e, float[] output, String modelId) {
            OutputRecord r = new OutputRecord();
            r.key = e.key;
            r.step = e.step;
            r.output = output;
            r.labelIndex = 0;
            r.last = e.end;
            r.model = modelId;
            return r;
        }
    }

    /** {@link FixedOutput} after a keyed read and write of one int per key: the state access, no model. */
    static final class CountPerKey extends KeyedProcessFunction<String, Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final FixedOutput fixed;
        private transient ValueState<Integer> count;

        CountPerKey(Model m) {
            this.fixed = new FixedOutput(m);
        }

        @Override
        public void open(OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.INT));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<OutputRecord> out) throws Exception {
            Integer c = count.value();
            count.update(c == null ? 1 : c + 1);
            out.collect(fixed.map(e));
        }
    }
}
