package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventTypeInfo;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.order.EventTimeOrdering;
import io.rnnstream.job.parse.ParseFunction;
import io.rnnstream.job.step.Head;
import io.rnnstream.job.step.StepOperator;
import io.rnnstream.job.swap.ModelStatus;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The one way to build rnnstream's pipeline: (parse →) key → order → step (→ JSON → sinks), on any
 * {@code DataStream}. Sources and sinks are arguments, so the CLI plugs in files, production Kafka, and
 * tests their own. Every operator has a stable uid: a savepoint of one release restores in the next.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder()
 *         .model(ModelProvider.file(path))
 *         .options(StreamOptions.defaults().idleTimeout(Duration.ofSeconds(30)))
 *         .records(kafkaRecords)                 // JSON events (or .events(...) already parsed)
 *         .outputSink(outputs).deadLetterSink(deadLetters)
 *         .build();
 * p.outputs()...;                                // one record per applied event, to attach more
 * }</pre>
 */
public final class Pipeline {
    /** The step operator's uid: its state lives under this id in checkpoints and savepoints. */
    public static final String STEP_UID = "rnnstream-step";

    private static final TypeInformation<KeyedPayload> PAYLOAD = TypeInformation.of(KeyedPayload.class);

    private final Model model;
    private final DataStream<Event> events;
    private final SingleOutputStreamOperator<OutputRecord> outputs;
    private final DataStream<DeadLetter> deadLetters;
    private final DataStream<ModelStatus> modelStatus;

    private Pipeline(Model model, DataStream<Event> events, SingleOutputStreamOperator<OutputRecord> outputs,
            DataStream<DeadLetter> deadLetters, DataStream<ModelStatus> modelStatus) {
        this.model = model;
        this.events = events;
        this.outputs = outputs;
        this.deadLetters = deadLetters;
        this.modelStatus = modelStatus;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model as the client loaded and checked it. */
    public Model model() {
        return model;
    }

    /** The events as they enter the key stage (parsed, with timestamps). */
    public DataStream<Event> events() {
        return events;
    }

    /** One record per applied event, and one per sequence ended without an event (idle timeout, end of input). */
    public SingleOutputStreamOperator<OutputRecord> outputs() {
        return outputs;
    }

    /** Every event that could not be applied, with why, from every stage. */
    public DataStream<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** What became of each model update (accepted or refused, and why); only with {@code modelUpdates}. */
    public DataStream<ModelStatus> modelStatus() {
        if (modelStatus == null) {
            throw new IllegalStateException("the pipeline was built without model updates: it has no model status");
        }
        return modelStatus;
    }

    /** Lines of text (a file's) as unkeyed records: each event then takes its key from its JSON. */
    public static DataStream<KeyedPayload> lines(DataStream<String> lines) {
        return lines.map(line -> new KeyedPayload(null, line), PAYLOAD).name("unkeyed").uid("rnnstream-unkeyed");
    }

    /** Event time from {@code ts} (events without one keep the record's timestamp), with bounded lateness. */
    public static WatermarkStrategy<Event> watermarks(StreamOptions opts) {
        return WatermarkStrategy.<Event>forBoundedOutOfOrderness(opts.maxOutOfOrderness())
                .withTimestampAssigner((e, previous) -> e.hasTs() ? e.ts : previous);
    }

    /** The parse stage: events out, and what is not an event as its dead letters ({@link DeadLetters#TAG}). */
    public static SingleOutputStreamOperator<Event> parse(DataStream<KeyedPayload> records, int featureCount) {
        return parse(records, featureCount, WireFormat.JSON);
    }

    /** The parse stage for records in {@code format} (JSON text, or Avro binary: docs/KAFKA.md). */
    public static SingleOutputStreamOperator<Event> parse(DataStream<KeyedPayload> records, int featureCount,
            WireFormat format) {
        // EventTypeInfo: the key stage's shuffle writes and reads events without the POJO serializer's reflection.
        return records.process(new ParseFunction(featureCount, format), EventTypeInfo.EVENTS).name("parse")
                .uid("rnnstream-parse");
    }

    /** How often a stage's dead letters leave at most, where its main output chains (Flink's default timeout). */
    public static final long DEAD_LETTER_BUFFER_TIMEOUT_MS = 100;

    /**
     * Gives {@code stage}'s network outputs {@link #DEAD_LETTER_BUFFER_TIMEOUT_MS} where the job's own buffer
     * timeout is shorter; only for a stage whose main output chains, so that its one network output carries
     * dead letters. Flink gives an edge its upstream stage's timeout, and each edge with a timeout has a
     * thread that wakes every timeout to flush it: at the job's 5 ms, the three dead-letter edges (parse,
     * order, step) were 3 % of the job's CPU through Kafka (docs/BENCHMARKS.md, session 22). A dead letter
     * is no one's real-time answer; a full buffer, a checkpoint barrier and the end of the input still flush
     * at once.
     */
    public static <T> SingleOutputStreamOperator<T> deadLettersFlushedLazily(SingleOutputStreamOperator<T> stage) {
        long job = stage.getExecutionEnvironment().getBufferTimeout();
        if (stage.getExecutionEnvironment().isChainingEnabled() && job > 0 && job < DEAD_LETTER_BUFFER_TIMEOUT_MS) {
            stage.setBufferTimeout(DEAD_LETTER_BUFFER_TIMEOUT_MS);
        }
        return stage;
    }

    /**
     * The way out: each output and dead letter as JSON under its event's key, written here once (an
     * operator nothing reads from still runs). Public so the Kafka benchmark's anchors leave exactly so.
     */
    public static void sinkJson(DataStream<OutputRecord> outputs, DataStream<DeadLetter> deadLetters,
            Sink<KeyedPayload> outputSink, Sink<KeyedPayload> deadLetterSink) {
        sink(outputs, deadLetters, outputSink, deadLetterSink, WireFormat.JSON);
    }

    /**
     * {@link #sinkJson}, with the outputs in {@code format}. Dead letters stay JSON in either format (a person
     * reads them); after binary input their {@code raw_base64} holds the record's bytes. The stages keep
     * their uids whatever the format (they hold no state), so a savepoint restores across a change of format.
     */
    public static void sink(DataStream<OutputRecord> outputs, DataStream<DeadLetter> deadLetters,
            Sink<KeyedPayload> outputSink, Sink<KeyedPayload> deadLetterSink, WireFormat format) {
        boolean avro = format == WireFormat.AVRO;
        (avro ? outputs.map(r -> KeyedPayload.binary(r.key, AvroRecords.output(r)), PAYLOAD).name("output-avro")
                : outputs.map(r -> KeyedPayload.binary(r.key, RecordJson.outputUtf8(r)), PAYLOAD).name("output-json"))
                .uid("rnnstream-keyed-outputs")
                .sinkTo(outputSink).name("sink-outputs").uid("rnnstream-sink-outputs");
        deadLetters.map(d -> new KeyedPayload(d.key, RecordJson.deadLetter(d, avro)), PAYLOAD)
                .name("dead-letter-json").uid("rnnstream-keyed-dead-letters")
                .sinkTo(deadLetterSink).name("sink-dead-letters").uid("rnnstream-sink-dead-letters");
    }

    /** Named settings; {@link #build()} checks them together and loads the model once. */
    public static final class Builder {
        private ModelProvider model;
        private String modelId;
        private StreamOptions options = StreamOptions.defaults();
        private DataStream<KeyedPayload> records;
        private DataStream<Event> events;
        private DataStream<ModelUpdate> modelUpdates;
        private Sink<KeyedPayload> outputSink;
        private Sink<KeyedPayload> deadLetterSink;
        private Sink<KeyedPayload> modelStatusSink;
        private WireFormat format = WireFormat.JSON;
        private KeyShuffle keyShuffle = KeyShuffle.AUTO;

        private Builder() {}

        /**
         * Whether events reach their key through Flink's hash shuffle: {@link KeyShuffle#AUTO} (default) leaves
         * it out when the input and the job run at parallelism 1, {@link KeyShuffle#ALWAYS} keeps it.
         */
        public Builder keyShuffle(KeyShuffle keyShuffle) {
            this.keyShuffle = keyShuffle;
            return this;
        }

        /**
         * How {@link #records} are encoded and how outputs leave: JSON (default) or Avro binary, after the
         * schemas in docs/KAFKA.md. Dead letters are JSON either way.
         */
        public Builder format(WireFormat format) {
            this.format = format;
            return this;
        }

        /** Builds the model on each subtask (and once here, to check it can stream). Required. */
        public Builder model(ModelProvider model) {
            this.model = model;
            return this;
        }

        /** Written on every output record (default: the model's own id). */
        public Builder modelId(String id) {
            this.modelId = id;
            return this;
        }

        /** How sequences end, order and decide (default: {@link StreamOptions#defaults()}). */
        public Builder options(StreamOptions options) {
            this.options = options;
            return this;
        }

        /** The input as JSON event records (Kafka records, {@link #lines file lines}); parsed here. */
        public Builder records(DataStream<KeyedPayload> records) {
            this.records = records;
            return this;
        }

        /** The input as events already parsed (with timestamps and watermarks if they use {@code ts}). */
        public Builder events(DataStream<Event> events) {
            this.events = events;
            return this;
        }

        /** Hot model swap: updates reach every step instance (broadcast); each output names its model. */
        public Builder modelUpdates(DataStream<ModelUpdate> updates) {
            this.modelUpdates = updates;
            return this;
        }

        /** Each output as JSON, under its event's key (so one key's records stay in one partition). */
        public Builder outputSink(Sink<KeyedPayload> sink) {
            this.outputSink = sink;
            return this;
        }

        /** Each dead letter as JSON, under its event's key. */
        public Builder deadLetterSink(Sink<KeyedPayload> sink) {
            this.deadLetterSink = sink;
            return this;
        }

        /** Each model update's status as JSON, under the model id (needs {@link #modelUpdates}). */
        public Builder modelStatusSink(Sink<KeyedPayload> sink) {
            this.modelStatusSink = sink;
            return this;
        }

        /** Checks the settings, loads and checks the model, and adds the stages to the input's environment. */
        public Pipeline build() {
            if (model == null) {
                throw new IllegalArgumentException("the pipeline needs a model: builder().model(ModelProvider.file(path))");
            }
            if ((records == null) == (events == null)) {
                throw new IllegalArgumentException("give the pipeline one input: records(...) of JSON events or"
                        + " events(...) already parsed");
            }
            if ((outputSink == null) != (deadLetterSink == null)) {
                throw new IllegalArgumentException("give both sinks or neither: outputSink(...) and deadLetterSink(...),"
                        + " so that no event leaves without a trace");
            }
            if (modelStatusSink != null && modelUpdates == null) {
                throw new IllegalArgumentException("modelStatusSink(...) reports on model updates: give modelUpdates(...)"
                        + " too");
            }
            if (options == null) {
                throw new IllegalArgumentException("options(...) must not be null: use StreamOptions.defaults()");
            }
            if (keyShuffle == null) {
                throw new IllegalArgumentException("keyShuffle(...) must not be null: KeyShuffle.AUTO or KeyShuffle.ALWAYS");
            }
            if (format == null) {
                throw new IllegalArgumentException("format(...) must not be null: WireFormat.JSON or WireFormat.AVRO");
            }
            if (format == WireFormat.AVRO && records == null) {
                throw new IllegalArgumentException("format(AVRO) says how records(...) are encoded: events(...) are"
                        + " already parsed; give records(...) of Avro values");
            }
            Model m = load(model);
            Head.check(m, options);
            String id = modelId != null ? modelId : m.id();

            DataStream<Event> in = events;
            DataStream<DeadLetter> parseDeadLetters = null;
            if (records != null) {
                // parse → timestamps chains; any shuffle starts at timestamps.
                SingleOutputStreamOperator<Event> parsed = deadLettersFlushedLazily(parse(records, m.inputSize(), format));
                parseDeadLetters = parsed.getSideOutput(DeadLetters.TAG);
                in = parsed.assignTimestampsAndWatermarks(watermarks(options)).name("timestamps")
                        .uid("rnnstream-timestamps");
            }
            // key → order → step: one hash partition by key (none where one subtask holds every key); the
            // order stage's output is already partitioned the same way, so the step stage chains to it.
            boolean shuffle = keyShuffle.needed(in);
            KeyedStream<Event, String> byKey = shuffle ? in.keyBy(e -> e.key, Types.STRING)
                    : DataStreamUtils.reinterpretAsKeyedStream(in, e -> e.key, Types.STRING);
            SingleOutputStreamOperator<Event> ordered = byKey
                    .process(new EventTimeOrdering(options, !shuffle), EventTypeInfo.EVENTS)
                    .name("order").uid(EventTimeOrdering.UID);
            KeyedStream<Event, String> keyed = DataStreamUtils.reinterpretAsKeyedStream(ordered, e -> e.key,
                    Types.STRING);
            StepOperator step = new StepOperator(model, id, options, modelUpdates != null);
            TypeInformation<OutputRecord> outType = TypeInformation.of(OutputRecord.class);
            SingleOutputStreamOperator<OutputRecord> out = modelUpdates == null
                    ? keyed.transform("step", outType, step)
                    : keyed.connect(modelUpdates.broadcast()).transform("step", outType, step);
            out.uid(STEP_UID);
            if (modelUpdates == null) {
                // order → step chains only where step has one input (Flink chains no two-input stage).
                deadLettersFlushedLazily(ordered);
            }
            if (outputSink != null) {
                // step → output-json chains; a caller that takes `out` may not chain it.
                deadLettersFlushedLazily(out);
            }
            DataStream<DeadLetter> dead = ordered.getSideOutput(DeadLetters.TAG).union(out.getSideOutput(DeadLetters.TAG));
            if (parseDeadLetters != null) {
                dead = parseDeadLetters.union(dead);
            }
            DataStream<ModelStatus> status = modelUpdates == null ? null : out.getSideOutput(StepOperator.MODEL_STATUS);
            if (outputSink != null) {
                sink(out, dead, outputSink, deadLetterSink, format);
            }
            if (modelStatusSink != null) {
                status.map(st -> new KeyedPayload(st.model, st.json()), PAYLOAD)
                        .name("model-status-json").uid("rnnstream-model-status")
                        .sinkTo(modelStatusSink).name("sink-model-status").uid("rnnstream-sink-model-status");
            }
            return new Pipeline(m, in, out, dead, status);
        }

        private static Model load(ModelProvider provider) {
            try {
                return provider.get();
            } catch (ModelException e) {
                throw e;
            } catch (Exception e) {
                throw new ModelException("cannot load the model: " + e.getMessage(), e);
            }
        }
    }
}
