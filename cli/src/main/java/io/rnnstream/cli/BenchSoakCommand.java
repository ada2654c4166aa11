package io.rnnstream.cli;

import io.rnnstream.bench.harness.soak.SoakReport;
import io.rnnstream.bench.harness.soak.SoakResult;
import io.rnnstream.bench.harness.soak.SoakRun;
import io.rnnstream.bench.harness.soak.SoakSample;
import io.rnnstream.bench.harness.soak.SoakSpec;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream bench soak}: the stream job under a fixed rate for a long time, then silence; whether
 * memory, state, checkpoints and latency stay flat, and whether state comes back to its baseline.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Soak the Kafka path: a local broker, `rnnstream stream` in a JVM of its own, a fixed rate of"
                + " events over keys that keep turning over (sequences that end, sequences abandoned midway, new keys"
                + " all the time), then no traffic until the idle timeouts have ended and forgotten every key.",
            "Samples the job from outside every --sample-every (heap after a full GC from its GC log, RSS, the"
                + " activeSequences gauge and the latest checkpoint through Flink's REST API, p99 latency at the"
                + " consumer), fits a line to each series and says whether it is flat; checks every event was"
                + " answered once and that state came back to the baseline. Writes soak.json, soak.md and PNG plots"
                + " to --report. docs/RELIABILITY.md (\"Soak\") explains the method."})
final class BenchSoakCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "MODEL",
            description = "The model to step (default: the bundled models/mnist-simplernn.rnns).")
    Path model;

    @Option(names = "--minutes", defaultValue = "30", paramLabel = "M",
            description = "Minutes of traffic (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "500", paramLabel = "EVENTS_PER_S",
            description = "Events a second (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--keys", defaultValue = "1000", paramLabel = "N",
            description = "Sequences running at once; each slot moves to a new key when its sequence ends"
                    + " (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--sequence-length", defaultValue = "28", paramLabel = "T",
            description = "Steps of a whole sequence, the last with end: true (default: ${DEFAULT-VALUE}).")
    int sequenceLength;

    @Option(names = "--abandoned", defaultValue = "0.2", paramLabel = "FRACTION",
            description = "Sequences the traffic stops midway, left to the idle timeout (default: ${DEFAULT-VALUE}).")
    double abandoned;

    @Option(names = "--idle-timeout", defaultValue = "15s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "The job's --idle-timeout (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--state-ttl", paramLabel = "DURATION", converter = StreamCommand.DurationConverter.class,
            description = "The job's --state-ttl (default: the job's, 2 × idle timeout + 1m).")
    Duration stateTtl;

    @Option(names = "--delivery", defaultValue = "at-least-once", paramLabel = "exactly-once|at-least-once",
            description = "The job's --delivery (default: ${DEFAULT-VALUE}: latency is the job's, not the checkpoint"
                    + " interval's).")
    String delivery;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "The job's --checkpoint-interval (default: ${DEFAULT-VALUE}, as the job runs).")
    Duration checkpointInterval;

    @Option(names = "--job-heap", defaultValue = "512m", paramLabel = "SIZE",
            description = "The job JVM's -Xms and -Xmx (default: ${DEFAULT-VALUE}).")
    String jobHeap;

    @Option(names = "--sample-every", defaultValue = "10s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
    Duration sampleEvery;

    @Option(names = "--full-gc-every", defaultValue = "60s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "How often the job's JVM is asked for a full GC to read its live heap"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration fullGcEvery;

    @Option(names = "--warmup", defaultValue = "2m", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "The start of the traffic left out of the slopes (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--report", defaultValue = "soak-report", paramLabel = "DIR",
            description = "Where soak.json, soak.md and the plots go (default: ${DEFAULT-VALUE}).")
    Path report;

    @Override
    protected int run() throws Exception {
        SoakSpec spec;
        try {
            spec = SoakSpec.builder().traffic(Duration.ofMillis((long) (minutes * 60_000))).rate(rate).keys(keys)
                    .sequenceLength(sequenceLength).abandoned(abandoned).idleTimeout(idleTimeout).stateTtl(stateTtl)
                    .delivery(delivery).checkpointInterval(checkpointInterval).jobHeap(jobHeap)
                    .sampleEvery(sampleEvery).fullGcEvery(fullGcEvery).warmup(warmup)
                    .jobMainClass(Rnnstream.class.getName()).build();
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage(), e);
        }
        Path home = Path.of(System.getProperty("rnnstream.home", ".")).toAbsolutePath();
        Path modelPath = model != null ? model : home.resolve(DemoCommand.MODEL_FILE);
        Model m = BenchCommand.modelOrBundled(modelPath);
        err().printf(Locale.ROOT, "model %s; %s; machine load %.2f (1-minute average)%n", m.id(), spec.describe(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        err().flush();
        Path work = home.resolve(".rnnstream").resolve("bench-soak-" + ProcessHandle.current().pid());
        Bars bars = new Bars();
        SoakResult r;
        try {
            r = SoakRun.run(spec, modelPath.toAbsolutePath(), m.inputSize(), work, bars);
        } finally {
            bars.close();
        }
        String md = SoakReport.write(r, report);
        out().print(md);
        out().printf("%nreport: %s (soak.md, soak.json, plots); the job's log and GC log: %s%n",
                report.toAbsolutePath(), work);
        return r.passed() ? 0 : 1;
    }

    /** A bar a phase, in seconds, with the latest sample's numbers beside it. */
    private final class Bars implements SoakRun.Listener, AutoCloseable {
        private Progress bar;

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }

        @Override
        public void phase(String phase, long seconds) {
            close();
            bar = Progress.start(phase, seconds, "s");
        }

        @Override
        public void sample(SoakSample s, long secondsIntoPhase) {
            bar.message(String.format(Locale.ROOT, "active %.0f, RSS %.0f MiB, checkpoint %.0f KiB, p99 %.1f ms",
                    s.activeSequences(), s.rssMiB(), s.checkpointSizeKiB(), s.p99Millis()));
            bar.update(secondsIntoPhase);
        }
    }
}
