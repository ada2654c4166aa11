package io.rnnstream.cli;

import io.rnnstream.connectors.FileConnectors;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.JobOptions;
import io.rnnstream.job.KafkaJob;
import io.rnnstream.job.KeyShuffle;
import io.rnnstream.job.LocalFileJob;
import io.rnnstream.job.LocalFlink;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.Pipeline;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.step.Head;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code rnnstream stream}: runs the streaming job on an embedded Flink, file in, files out. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Classifies per-key event sequences from a JSON-lines file on an embedded Flink, one"
                + " recurrent step per event, and writes one output record per event and the dead letters."
                + " Returns when the input is consumed.")
public class StreamCommand extends BaseCommand {

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "The model: an rnnstream file, a Keras .h5/.keras, model.json with its weights, or an"
                    + " ONNX .onnx file.")
    Path model;

    @Option(names = "--input-file", paramLabel = "FILE",
            description = "JSON lines, one event each: {\"key\", \"step\", \"ts\", \"features\", \"end\"}.")
    Path input;

    @Option(names = "--output-file", paramLabel = "FILE",
            description = "Where the output records go (one JSON line per applied event).")
    Path output;

    @Option(names = "--dlq-file", paramLabel = "FILE",
            description = "Where the dead letters go (events that could not be applied, with why).")
    Path dlq;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka instead of files: the brokers to read events from and write records to.")
    String bootstrapServers;

    @Option(names = "--input-topic", paramLabel = "TOPIC", description = "Kafka topic of the events.")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "TOPIC", description = "Kafka topic of the output records.")
    String outputTopic;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", description = "Kafka topic of the dead letters.")
    String dlqTopic;

    @Option(names = "--group-id", defaultValue = "rnnstream",
            description = "Kafka consumer group of the job (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--starting-offsets", defaultValue = "committed", paramLabel = "earliest|latest|committed",
            description = "Where to start without a committed offset (default: ${DEFAULT-VALUE}, i.e. committed or"
                    + " earliest).")
    String startingOffsets;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Any Kafka client property (SASL, SSL, …); repeatable.")
    java.util.List<String> kafkaProperties = new java.util.ArrayList<>();

    @Option(names = "--kafka-properties-file", paramLabel = "FILE",
            description = "A .properties file of Kafka client properties: credentials (SASL, SSL) belong here, in a"
                    + " file only its owner can read, not in --kafka-property (docs/KAFKA.md). --kafka-property"
                    + " values override the file's.")
    Path kafkaPropertiesFile;

    @Option(names = "--model-topic", paramLabel = "TOPIC",
            description = "Kafka: model updates to swap to without a restart (see 'rnnstream publish-model').")
    String modelTopic;

    @Option(names = "--status-topic", paramLabel = "TOPIC",
            description = "Kafka: where the job says whether it accepted or refused each model update.")
    String statusTopic;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Kafka: model updates by reference ({\"path\": …}) may name files inside DIR only (no"
                    + " '..', no symbolic links out); without it, references are refused and only model bytes are"
                    + " accepted.")
    String modelDir;

    @Option(names = "--swap-policy", defaultValue = "new-sequences", paramLabel = "POLICY",
            description = "What a model update does to running sequences: new-sequences (they finish on their"
                    + " model), switch-carry (they switch, keeping their state; same layers only) or switch-reset"
                    + " (default: ${DEFAULT-VALUE}).")
    String swapPolicy;

    @Option(names = "--bounded", description = "Kafka: stop at the end of what the input topic holds at start.")
    boolean bounded;

    @Option(names = "--web-ui-port", defaultValue = "-1", paramLabel = "PORT",
            description = "Kafka: serve Flink's web UI on 127.0.0.1:PORT (default: no web UI).")
    int webUiPort;

    @Option(names = "--metrics-port", defaultValue = "-1", paramLabel = "PORT",
            description = "Serve the job's metrics for Prometheus on http://127.0.0.1:PORT/metrics (default: off;"
                    + " docs/RELIABILITY.md#observability).")
    int metricsPort;

    @Option(names = "--parallelism", defaultValue = "1", description = "Parallel subtasks (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--sequence-length", defaultValue = "0", paramLabel = "T",
            description = "End each sequence after T steps (default: only \"end\": true or the idle timeout).")
    int sequenceLength;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "End a sequence with no event for this long, e.g. 30s, 500ms, 5m (event time when"
                    + " events carry ts).")
    Duration idleTimeout;

    @Option(names = "--decide-at-confidence", paramLabel = "P",
            description = "Flag the first step whose top probability reaches P with \"decision\": true.")
    Double decideAtConfidence;

    @Option(names = "--decide-at-precision", paramLabel = "Q",
            description = "Flag the first step with \"decision\": true at the confidence threshold that reached"
                    + " precision Q on the model's validation sequences (from the table 'rnnstream train' stores;"
                    + " see 'rnnstream summary').")
    Double decideAtPrecision;

    @Option(names = "--emit-hidden", description = "Add the top recurrent layer's h to each record.")
    boolean emitHidden;

    @Option(names = "--max-buffered-steps", defaultValue = "64", paramLabel = "N",
            description = "Events held per key while they wait: early steps for a gap to fill, ts-only events for"
                    + " the watermark (default: ${DEFAULT-VALUE}).")
    int maxBufferedSteps;

    @Option(names = "--step-bundle", defaultValue = "" + StreamOptions.DEFAULT_STEP_BUNDLE, paramLabel = "N",
            description = "Step up to N events of different keys as one product: the same outputs, each weight"
                    + " loaded once for several keys (default: ${DEFAULT-VALUE}; 1 steps each event alone;"
                    + " docs/BENCHMARKS.md, \"Batched steps\").")
    int stepBundle;

    @Option(names = "--step-bundle-wait", defaultValue = "1ms", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "The longest an event waits for its bundle to fill (default: ${DEFAULT-VALUE}).")
    Duration stepBundleWait;

    @Option(names = "--state-backend", defaultValue = "hashmap", paramLabel = "hashmap|rocksdb",
            description = "Where keyed state lives (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    // The job jar's default too (KafkaJob.DEFAULT_CHECKPOINT_INTERVAL; docs/KAFKA.md says why 1 s).
    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Checkpoint (and output commit) interval: it bounds how long a read_committed consumer"
                    + " waits for an output (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Kafka: where checkpoints go, kept when the job ends (default: a temporary directory,"
                    + " deleted when the job ends).")
    Path checkpointDir;

    @Option(names = "--state-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Drop a key's state this long after its last write (default: 2 x idle timeout + 1m"
                    + " with an idle timeout, else never; 0 turns it off).")
    Duration stateTtl;

    @Option(names = "--max-out-of-orderness", defaultValue = "0s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How far behind the largest ts seen the watermark runs: events with ts but no step wait"
                    + " this long to be applied in ts order, and later ones are dead letters"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration maxOutOfOrderness;

    @Option(names = "--delivery", defaultValue = "exactly-once", paramLabel = "exactly-once|at-least-once",
            description = "Kafka: exactly-once (outputs visible to read_committed consumers when the checkpoint that"
                    + " covers them completes) or at-least-once (visible at once; after a failure some are written"
                    + " again, byte-identical under the same key and step) (default: ${DEFAULT-VALUE}).")
    String delivery;

    @Option(names = "--linger-always",
            description = "Kafka, at-least-once: the output sink waits linger.ms for more outputs even when the input"
                    + " topic has nothing more to read (default: it sends then; docs/KAFKA.md#latency-the-sinks-batches).")
    boolean lingerAlways;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|avro",
            description = "Kafka: events in and outputs out as JSON text or Avro binary (schemas in docs/KAFKA.md);"
                    + " dead letters stay JSON (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--buffer-timeout", defaultValue = "5ms", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long a partly filled network buffer waits before Flink sends it: lower is less"
                    + " latency, higher more throughput (Flink's own default is 100ms; default: ${DEFAULT-VALUE}).")
    Duration bufferTimeout;

    @Option(names = "--key-shuffle", defaultValue = "auto", paramLabel = "auto|always",
            description = "auto: at parallelism 1 events go from the source to their key's state on one thread,"
                    + " without Flink's hash shuffle (less latency and CPU); always: shuffle by key whatever the"
                    + " parallelism (default: ${DEFAULT-VALUE}).")
    String keyShuffle;

    /** This command's options as the job takes them: the one mapping to settings is {@link JobOptions}'. */
    JobOptions jobOptions() {
        JobOptions o = new JobOptions();
        o.model = model;
        o.bootstrapServers = bootstrapServers;
        o.inputTopic = inputTopic;
        o.outputTopic = outputTopic;
        o.dlqTopic = dlqTopic;
        o.groupId = groupId;
        o.startingOffsets = startingOffsets;
        o.kafkaProperty = kafkaProperties;
        o.kafkaPropertiesFile = kafkaPropertiesFile;
        o.bounded = bounded;
        o.modelTopic = modelTopic;
        o.statusTopic = statusTopic;
        o.modelDir = modelDir;
        o.swapPolicy = swapPolicy;
        o.delivery = delivery;
        o.lingerAlways = lingerAlways;
        o.format = format;
        o.checkpointInterval = checkpointInterval;
        o.bufferTimeout = bufferTimeout;
        o.parallelism = parallelism;
        o.sequenceLength = sequenceLength;
        o.idleTimeout = idleTimeout;
        o.decideAtConfidence = decideAtConfidence;
        o.decideAtPrecision = decideAtPrecision;
        o.emitHidden = emitHidden;
        o.maxBufferedSteps = maxBufferedSteps;
        o.stepBundle = stepBundle;
        o.stepBundleWait = stepBundleWait;
        o.keyShuffle = keyShuffle;
        o.stateTtl = stateTtl;
        o.maxOutOfOrderness = maxOutOfOrderness;
        return o;
    }

    @Override
    protected int run() throws Exception {
        PrintWriter out = out();
        JobOptions job = jobOptions();
        Model m = ModelLoader.load(model);
        StreamOptions opts = job.streamOptions();
        Head.check(m, opts);
        if (opts.decides()) {
            String warning = Head.decisionWarning(m, opts);
            err().println(warning != null ? warning : String.format(Locale.ROOT, "deciding at confidence %.4f%s",
                    Head.decisionThreshold(m, opts), decideAtPrecision == null ? ""
                            : " (the lowest threshold that reached precision " + decideAtPrecision
                                    + " on the model's validation sequences)"));
            err().flush();
        }
        if (metricsPort >= 0) {
            try {
                LocalFlink.requireFreeMetricsPort(metricsPort);
            } catch (IllegalArgumentException e) {
                throw new ModelException(e.getMessage(), e);
            }
        }
        boolean kafka = bootstrapServers != null || inputTopic != null || outputTopic != null || dlqTopic != null;
        boolean files = input != null || output != null || dlq != null;
        if (files && (modelTopic != null || statusTopic != null)) {
            throw new IllegalArgumentException("--model-topic and --status-topic need Kafka (--bootstrap-servers …):"
                    + " the file job serves the one --model");
        }
        WireFormat wire;
        try {
            wire = WireFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage(), e);
        }
        if (files && wire != WireFormat.JSON) {
            throw new ModelException("--format " + format + " needs Kafka (--bootstrap-servers …): files are lines of"
                    + " JSON");
        }
        if (kafka == files) {
            throw new IllegalArgumentException("say where events come from: either --input-file, --output-file and"
                    + " --dlq-file, or --bootstrap-servers, --input-topic, --output-topic and --dlq-topic");
        }
        if (kafka) {
            KafkaClientSettings.warnOfSecrets(kafkaProperties, err());
            return runOnKafka(m, job);
        }
        if (input == null || output == null || dlq == null) {
            throw new IllegalArgumentException("files need all three of --input-file, --output-file and --dlq-file");
        }
        LocalFileJob fileJob = new LocalFileJob(ModelProvider.file(model), m.id(), opts)
                .parallelism(parallelism)
                .keyShuffle(KeyShuffle.parse(keyShuffle))
                .stateBackend(stateBackend.toLowerCase(Locale.ROOT))
                .checkpointInterval(checkpointInterval)
                .metricsPort(metricsPort);
        LocalFileJob.Counts c = fileJob.run(input, output, dlq);
        out.printf("events in: %d%noutputs: %d (of which %d final records for sequences that ended without an"
                + " event: idle timeout or end of input)%ndead letters: %d%n", c.linesIn(), c.outputs(),
                c.finalsWithoutEvent(), c.deadLetters());
        out.printf("wrote %s and %s%n", output, dlq);
        out.flush();
        return 0;
    }

    private int runOnKafka(Model m, JobOptions job) throws Exception {
        KafkaJob.Settings settings = job.kafkaSettings();
        // Credentials or ACLs that cannot work fail here, in one line (Errors), instead of restarting for ever.
        String notAnswering = KafkaJob.checkAccess(settings);
        if (notAnswering != null) {
            err().println(notAnswering);
            err().flush();
        }
        Path checkpoints = checkpointDir != null ? Files.createDirectories(checkpointDir.toAbsolutePath())
                : Files.createTempDirectory("rnnstream-checkpoints");
        try {
            StreamExecutionEnvironment env = LocalFlink.builder().parallelism(parallelism)
                    .stateBackend(stateBackend.toLowerCase(Locale.ROOT)).checkpoints(checkpoints)
                    .checkpointInterval(checkpointInterval).webUiPort(webUiPort).metricsPort(metricsPort)
                    .environment();
            env.setBufferTimeout(bufferTimeout.toMillis());
            KafkaJob.build(env, settings, Pipeline.builder().model(ModelProvider.of(m)).options(job.streamOptions())
                    .keyShuffle(job.keyShuffle()));
            err().println("streaming " + inputTopic + " → " + outputTopic + " (dead letters → " + dlqTopic + ") with "
                    + m.id() + (webUiPort >= 0 ? "; Flink web UI on http://127.0.0.1:" + webUiPort : "")
                    + (metricsPort >= 0 ? "; metrics on http://127.0.0.1:" + metricsPort + "/metrics" : "")
                    + (bounded ? "" : "; Ctrl-C stops"));
            err().flush();
            env.execute("rnnstream stream " + inputTopic);
            return 0;
        } finally {
            if (checkpointDir == null) {
                FileConnectors.deleteTree(checkpoints);
            }
        }
    }

    /** "30s", "500ms", "5m", "1h", "2d", a bare number of milliseconds, or ISO-8601 ("PT30S"). */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return JobOptions.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
