package io.rnnstream.cli;

import io.rnnstream.connectors.FileConnectors;
import io.rnnstream.bench.harness.kafka.KafkaBench;
import io.rnnstream.bench.harness.kafka.KafkaBenchResult;
import io.rnnstream.bench.harness.kafka.KafkaBenchSpec;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.KeyShuffle;
import io.rnnstream.bench.harness.kafka.KafkaBenchStage;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream bench kafka}: the path users run, measured end to end. A real broker, a load
 * generator and a measuring consumer in JVMs of their own, and the job on an embedded Flink, beside its
 * anchors on the same broker with the same records (KafkaBenchStage); prints throughput, latency as two
 * consumers see it and CPU per event of each process, as a table and as JSON.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Benchmark the Kafka path: generator (own JVM) → events topic → job (embedded Flink) → outputs"
                + " topic → measuring consumer (own JVM), on a local broker, beside its anchors: the step operator"
                + " alone (engine), Kafka alone (kafka), the job's source, parse and sink only (passthrough), the same"
                + " with keyBy and a keyed state update (keyed); and when named, the Kafka clients alone without Flink"
                + " (relay), with the job's serde work (relay-serde).",
            "Prints events/s over the measured part, latency from each event's producer timestamp to its output's"
                + " arrival at a read_uncommitted and a read_committed consumer (p50 / p99 / p99.9 / max), CPU µs per"
                + " event of the job, broker, generator and consumer, and rnnstream ÷ each anchor; then JSON."
                + " docs/BENCHMARKS.md explains the method."})
final class BenchKafkaCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "MODEL",
            description = "The model to step (default: the bundled models/mnist-simplernn.rnns).")
    Path model;

    @Option(names = "--stages", defaultValue = "engine,kafka,passthrough,keyed,rnnstream", split = ",",
            paramLabel = "STAGE", description = "What to run, in this order (default: ${DEFAULT-VALUE}). Also:"
                    + " relay (the Kafka clients alone, no Flink: each event read and copied to the outputs topic in"
                    + " the job's JVM) and relay-serde (the relay + the job's event parse and output encoding in the"
                    + " --format): what any"
                    + " job costs per event to read and write these records.")
    List<String> stages;

    @Option(names = "--keys", defaultValue = "2000", paramLabel = "N",
            description = "Interleaved keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--events", defaultValue = "300000", paramLabel = "N",
            description = "Events per stage, warm-up included (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--warmup", defaultValue = "-1", paramLabel = "N",
            description = "Events sent before the measured part starts, unpaced but for a paced run's last"
                    + " --paced-warmup; their outputs are awaited, then up to 15 s for the JIT compilers and CPUs to go"
                    + " quiet (default: one pass over the keys, at least a fifth of the events).")
    long warmup;

    @Option(names = "--paced-warmup", defaultValue = "120s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "How much of a paced run's warm-up goes at the rate: the code a paced job runs per request"
                    + " compiles only at the rate (default: ${DEFAULT-VALUE}).")
    Duration pacedWarmUp;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S",
            description = "Pace the generator (default 0: unpaced, which measures throughput; latency is then the"
                    + " queueing of a saturated path).")
    long rate;

    @Option(names = "--sequence-length", defaultValue = "28", paramLabel = "T",
            description = "Steps per sequence (default: ${DEFAULT-VALUE}).")
    int sequenceLength;

    @Option(names = "--malformed", defaultValue = "0", paramLabel = "FRACTION",
            description = "Also send this many malformed records per event to the job stages (0.1: one in ten more),"
                    + " and fail unless each comes out as a dead letter (default: none).")
    double malformed;

    @Option(names = "--delivery", defaultValue = "exactly-once", paramLabel = "exactly-once|at-least-once",
            description = "The job's sinks, for every job stage (default: ${DEFAULT-VALUE}).")
    String delivery;

    @Option(names = "--linger-always",
            description = "At-least-once: the job's output sink waits linger.ms even when its input runs dry, as"
                    + " `stream --linger-always` (default: it sends then, as the job does).")
    boolean lingerAlways;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|avro",
            description = "The records' format, for every stage: events in, outputs out (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "Checkpoints commit exactly-once outputs (default: ${DEFAULT-VALUE}, as the job runs).")
    Duration checkpointInterval;

    @Option(names = "--buffer-timeout", defaultValue = "5", paramLabel = "MS",
            description = "Flink's network buffer timeout in ms (default: ${DEFAULT-VALUE}, as the job runs; -1: Flink's"
                    + " own 100 ms).")
    long bufferTimeoutMs;

    @Option(names = "--step-bundle", defaultValue = "" + io.rnnstream.job.StreamOptions.DEFAULT_STEP_BUNDLE,
            paramLabel = "N", description = "The job's step bundles, as `stream --step-bundle` (default:"
                    + " ${DEFAULT-VALUE}; 1: off).")
    int stepBundle;

    @Option(names = "--key-shuffle", defaultValue = "auto", paramLabel = "auto|always",
            description = "The job's key shuffle, as `stream --key-shuffle` (default: ${DEFAULT-VALUE}: none at"
                    + " parallelism 1).")
    String keyShuffle;

    @Option(names = "--parallelism", defaultValue = "1", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--partitions", defaultValue = "2", paramLabel = "N",
            description = "Partitions of each topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "Fail a stage when no output arrives for this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
            description = "Rounds over the stages, interleaved, and a median row for each stage (default:"
                    + " ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
            description = "A setting of the generator's producer, e.g. linger.ms=5 (repeatable). Paced, it sends with"
                    + " linger.ms=1 unless this sets it, as `replay --rate` does; unpaced, Kafka's 5 ms.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
            description = "A setting of the measuring consumers, e.g. fetch.max.wait.ms=10 (repeatable).")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A setting of the job's Kafka clients (source and sinks), as `stream --kafka-property`"
                    + " (repeatable).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the JSON to this file.")
    Path json;

    @Option(names = "--trace", paramLabel = "DIR",
            description = "Also write each measured output's times to DIR/STAGE-ROUND-uncommitted.csv and"
                    + " -committed.csv (one per consumer): event_ms, record_ms (when the job wrote the output),"
                    + " polled_us; one line per output, to find which outputs were slow, when, and in which hop.")
    Path trace;

    @Override
    protected int run() throws Exception {
        KafkaBenchSpec spec;
        try {
            KafkaBenchSpec.Builder b = KafkaBenchSpec.builder().stages(KafkaBenchStage.parseList(stages)).keys(keys)
                    .events(events).warmup(warmup).pacedWarmUp(pacedWarmUp).rate(rate).sequenceLength(sequenceLength)
                    .delivery(KafkaBenchSpec.parseDelivery(delivery)).lingerAlways(lingerAlways).format(WireFormat.parse(format)).checkpointInterval(checkpointInterval)
                    .bufferTimeoutMs(bufferTimeoutMs).stepBundle(stepBundle).keyShuffle(KeyShuffle.parse(keyShuffle)).malformed(malformed).parallelism(parallelism).partitions(partitions).timeout(timeout)
                    .repeat(repeat);
            producerProperties.forEach(b::producerProperty);
            consumerProperties.forEach(b::consumerProperty);
            kafkaProperties.forEach(b::jobKafkaProperty);
            if (trace != null) {
                try {
                    Files.createDirectories(trace);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("--trace " + trace + ": cannot create that directory ("
                            + e.getClass().getSimpleName() + "); name one you can write to", e);
                }
                b.traceDir(trace.toAbsolutePath());
            }
            spec = b.build();
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage(), e);
        }
        Model m = BenchCommand.modelOrBundled(model);
        Path home = Path.of(System.getProperty("rnnstream.home", ".")).toAbsolutePath();
        err().printf(Locale.ROOT, "model %s; %s; machine load %.2f (1-minute average)%n", m.id(), spec.describe(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        err().flush();
        Path work = home.resolve(".rnnstream").resolve("bench-kafka-" + ProcessHandle.current().pid());
        List<KafkaBenchResult> results;
        try {
            results = KafkaBench.run(spec, m, work, new BarListener());
        } finally {
            FileConnectors.deleteTree(work);
        }
        String js = KafkaBenchResult.toJson(spec.describe(), results);
        out().print(KafkaBenchResult.table(results));
        out().println();
        out().print(js);
        if (json != null) {
            Files.writeString(json, js, StandardCharsets.UTF_8);
        }
        for (KafkaBenchResult r : results) {
            if (r.stillCompiling() && r.rate() > 0) {
                err().printf(Locale.ROOT, "note: in stage %s the JVMs' JIT compilers ran %,.0f ms of the measured part:"
                        + " its latency and CPU are those of JVMs still warming up; for the steady state, warm up"
                        + " longer at the rate (--warmup N --paced-warmup D: the last D of the N events go at the"
                        + " rate)%n", r.stage(),
                        r.jitMillis());
            }
        }
        return 0;
    }

    /** One progress bar a stage, on outputs seen by the read_uncommitted consumer. */
    private final class BarListener implements KafkaBench.Listener {
        private Progress bar;
        private long last;

        @Override
        public void stage(KafkaBenchStage stage, int index, int count) {
            err().printf(Locale.ROOT, "stage %d of %d: %s (%s)…%n", index + 1, count, stage.label(), stage.description());
            err().flush();
            bar = stage == KafkaBenchStage.ENGINE ? null : Progress.start(stage.label(), events, "outputs");
            last = 0;
        }

        @Override
        public void progress(long seen, long expected) {
            last = seen;
            if (bar != null) {
                bar.update(seen);
            }
        }

        @Override
        public void stageDone(KafkaBenchResult result) {
            if (bar != null) {
                bar.finish(last);
            }
        }
    }
}
