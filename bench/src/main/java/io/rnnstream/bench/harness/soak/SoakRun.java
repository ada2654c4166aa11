package io.rnnstream.bench.harness.soak;

import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One soak: a broker (a child JVM), {@code rnnstream stream} (a child JVM of its own, so that its heap and
 * RSS are the job's alone), the paced traffic and the accounting consumer (threads here), and a sampler
 * that reads the job from outside ({@link JobProbe}). Baseline, traffic, then silence until state is back
 * at the baseline; every process started here is stopped here.
 */
public final class SoakRun {
    static final int PARTITIONS = 2;

    /** Hears how far the soak is. */
    public interface Listener {
        /** A phase starts ({@link SoakSample} phases); it lasts at most {@code seconds}. */
        void phase(String phase, long seconds);

        void sample(SoakSample s, long secondsIntoPhase);

        Listener NONE = new Listener() {
            @Override
            public void phase(String phase, long seconds) {}

            @Override
            public void sample(SoakSample s, long secondsIntoPhase) {}
        };
    }

    private final SoakSpec spec;
    private final Path model;
    private final int features;
    private final Path dir;
    private final Listener listener;
    private final List<SoakSample> samples = new ArrayList<>();
    private JobProbe probe;
    private SoakConsumer consumer;
    private long lastEventsIn;
    private long lastOutputs;
    private long lastSampleNanos;
    private long lastFullGcNanos;
    private long originNanos;
    /** The last sample asked for a full GC: its pause falls in the next interval. */
    private boolean gcPending;

    private SoakRun(SoakSpec spec, Path model, int features, Path dir, Listener listener) {
        this.spec = spec;
        this.model = model;
        this.features = features;
        this.dir = dir;
        this.listener = listener;
    }

    /**
     * Runs {@code spec} with the model file {@code model} (its input size {@code features}) in
     * {@code dir}, which keeps the job's log and GC log for a look afterwards.
     */
    public static SoakResult run(SoakSpec spec, Path model, int features, Path dir, Listener listener)
            throws Exception {
        return new SoakRun(spec, model, features, dir, listener).run();
    }

    private SoakResult run() throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        LocalKafkaBroker broker = null;
        Process job = null;
        SoakTraffic traffic = null;
        try {
            broker = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Duration.ofSeconds(120));
            String bootstrap = broker.bootstrapServers();
            createTopics(bootstrap, "events", "outputs", "dead-letters");
            int ui = freePort();
            Path gcLog = dir.resolve("job-gc.log");
            job = startJob(bootstrap, ui, gcLog);
            probe = new JobProbe(ui, job.pid(), gcLog);
            awaitReady(job);
            consumer = new SoakConsumer(bootstrap, "outputs", "dead-letters", spec.sequenceLength(),
                    spec.delivery().equals("exactly-once"));
            consumer.start();

            JobProbe.Checkpoint baselineCheckpoint = baseline(job);
            SoakSample base = samples.get(samples.size() - 1);

            traffic = new SoakTraffic(spec, bootstrap, "events", features);
            listener.phase(SoakSample.TRAFFIC, spec.traffic().toSeconds());
            originNanos = System.nanoTime();
            lastSampleNanos = originNanos;
            lastFullGcNanos = originNanos;
            traffic.start();
            long end = originNanos + spec.traffic().toNanos();
            while (System.nanoTime() < end) {
                sleepUntilNextSample(end);
                check(job, traffic);
                boolean gc = System.nanoTime() - lastFullGcNanos >= spec.fullGcEvery().toNanos()
                        - spec.sampleEvery().toNanos() / 2;
                SoakSample s = sample(SoakSample.TRAFFIC, gc);
                listener.sample(s, (long) s.t());
            }
            traffic.stop();
            double stoppedAt = seconds(System.nanoTime());

            // Silence: the idle timeouts end what the traffic left running, then forget every ended key.
            listener.phase(SoakSample.DRAIN, spec.drainTimeout().toSeconds());
            long drainEnd = System.nanoTime() + spec.drainTimeout().toNanos();
            double activeBackAt = Double.NaN;
            double checkpointBackAt = Double.NaN;
            double allAnsweredAt = Double.NaN;
            long expectedFinals = traffic.unfinished();
            while (System.nanoTime() < drainEnd) {
                sleepUntilNextSample(drainEnd);
                check(job, null);
                SoakSample s = sample(SoakSample.DRAIN, false);
                listener.sample(s, (long) (s.t() - stoppedAt));
                if (Double.isNaN(activeBackAt) && s.activeSequences() <= base.activeSequences()) {
                    activeBackAt = s.t() - stoppedAt;
                }
                if (Double.isNaN(checkpointBackAt) && !Double.isNaN(activeBackAt)
                        && backToBaseline(s.checkpointSizeKiB(), base.checkpointSizeKiB())) {
                    checkpointBackAt = s.t() - stoppedAt;
                }
                if (Double.isNaN(allAnsweredAt) && consumer.outputs() >= traffic.acked()
                        && consumer.finals() >= expectedFinals) {
                    allAnsweredAt = s.t() - stoppedAt;
                }
                if (!Double.isNaN(activeBackAt) && !Double.isNaN(checkpointBackAt) && !Double.isNaN(allAnsweredAt)) {
                    break;
                }
            }
            // The live heap once everything is forgotten, beside the baseline's.
            double heapAfter = probe.heapAfterFullGcMiB();
            JobProbe.StepMetrics m = probe.step();
            return new SoakResult(spec, samples, stoppedAt, base, baselineCheckpoint.stateBytes() / 1024.0,
                    heapAfter, activeBackAt, checkpointBackAt, allAnsweredAt, traffic.sent(), traffic.acked(),
                    traffic.ended(), expectedFinals, consumer.outputs(), consumer.distinct(), consumer.duplicates(),
                    consumer.finals(), consumer.deadLetters(), consumer.foreign(), (long) m.idleTimeouts(),
                    (long) m.ttlExpiries(), (long) m.deadLetters(), dir);
        } finally {
            if (traffic != null) {
                try {
                    traffic.stop();
                } catch (IllegalStateException alreadyReported) {
                    // the run's own exception says more
                }
            }
            if (consumer != null) {
                consumer.stop();
            }
            stop(job);
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** The job idle and empty: a checkpoint, a full GC, a few samples; the last one is the baseline. */
    private JobProbe.Checkpoint baseline(Process job) throws Exception {
        long seconds = Math.max(2 * spec.sampleEvery().toSeconds(), 10);
        listener.phase(SoakSample.BASELINE, seconds);
        originNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        lastSampleNanos = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JobProbe.Checkpoint c;
        while ((c = probe.latestCheckpoint()) == null) {
            check(job, null);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no checkpoint completed within 2 minutes: see " + dir.resolve(
                        "job.out"));
            }
            Thread.sleep(200);
        }
        long phaseStart = System.nanoTime();
        while (System.nanoTime() < originNanos) {
            sleepUntilNextSample(originNanos);
            check(job, null);
            // The last baseline sample has the full GC: the live heap just before the traffic.
            boolean last = System.nanoTime() + spec.sampleEvery().toNanos() / 2 >= originNanos;
            SoakSample s = sample(SoakSample.BASELINE, last);
            listener.sample(s, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - phaseStart));
        }
        return probe.latestCheckpoint();
    }

    private void sleepUntilNextSample(long limit) throws InterruptedException {
        long next = Math.min(limit, lastSampleNanos + spec.sampleEvery().toNanos());
        long wait = next - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /**
     * Reads everything for the interval that ends now, then, if asked, has the job run a full GC for its
     * live heap: after the interval is closed, so that the pause falls in the next interval, which says so.
     */
    private SoakSample sample(String phase, boolean fullGc) throws Exception {
        JobProbe.StepMetrics m = probe.step();
        JobProbe.Checkpoint c = probe.latestCheckpoint();
        Histogram h = consumer == null ? new Histogram(3) : consumer.interval();
        long t = System.nanoTime();
        double dt = (t - lastSampleNanos) / 1e9;
        long eventsIn = (long) m.eventsIn();
        long outputs = consumer == null ? 0 : consumer.outputs();
        boolean timed = h.getTotalCount() > 0;
        double rss = probe.rssMiB();
        double heap = Double.NaN;
        if (fullGc) {
            lastFullGcNanos = System.nanoTime();
            heap = probe.heapAfterFullGcMiB();
        }
        SoakSample s = new SoakSample(seconds(t), phase, heap, rss, m.activeSequences(),
                c == null ? Double.NaN : c.stateBytes() / 1024.0, c == null ? Double.NaN : c.millis(),
                timed ? h.getValueAtPercentile(50) / 1e3 : Double.NaN,
                timed ? h.getValueAtPercentile(99) / 1e3 : Double.NaN, timed ? h.getMaxValue() / 1e3 : Double.NaN,
                (eventsIn - lastEventsIn) / dt, (outputs - lastOutputs) / dt,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), gcPending);
        gcPending = fullGc;
        lastEventsIn = eventsIn;
        lastOutputs = outputs;
        lastSampleNanos = t;
        samples.add(s);
        return s;
    }

    /** Within a tenth of the baseline, or 4 KiB: the registered states' own metadata stays once written. */
    static boolean backToBaseline(double kib, double baselineKib) {
        return kib <= baselineKib + Math.max(0.1 * baselineKib, 4);
    }

    private double seconds(long nanos) {
        return (nanos - originNanos) / 1e9;
    }

    private void check(Process job, SoakTraffic traffic) {
        if (!job.isAlive()) {
            throw new IllegalStateException("rnnstream stream exited (" + job.exitValue() + "): see "
                    + dir.resolve("job.out") + " and " + dir.resolve("job.log"));
        }
        if (traffic != null && traffic.failure() != null) {
            throw new IllegalStateException("the soak's producer failed", traffic.failure());
        }
        if (consumer != null && consumer.failure() != null) {
            throw new IllegalStateException("the soak's consumer failed", consumer.failure());
        }
    }

    private void awaitReady(Process job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!probe.ready()) {
            check(job, null);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the stream job was not running within 3 minutes: see "
                        + dir.resolve("job.out"));
            }
            Thread.sleep(250);
        }
    }

    /** {@code rnnstream stream} as a user runs it, in a JVM of its own, with a GC log for the probe. */
    private Process startJob(String bootstrap, int ui, Path gcLog) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xms" + spec.jobHeap(), "-Xmx" + spec.jobHeap(),
                "-XX:+UseG1GC",
                // The whole heap resident from the start: RSS then moves only with what lies outside it
                // (metaspace, code, threads, direct buffers), where a native leak would show.
                "-XX:+AlwaysPreTouch", "-Xlog:gc:file=" + gcLog, "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Drnnstream.log.file=" + dir.resolve("job.log"), "-cp", LocalKafkaBroker.classpath(),
                spec.jobMainClass(), "stream", "--model", model.toString(), "--bootstrap-servers", bootstrap,
                "--input-topic", "events", "--output-topic", "outputs", "--dlq-topic", "dead-letters",
                "--starting-offsets", "earliest", "--web-ui-port", Integer.toString(ui), "--delivery",
                spec.delivery(), "--checkpoint-interval", spec.checkpointInterval().toMillis() + "ms",
                "--idle-timeout", spec.idleTimeout().toMillis() + "ms"));
        if (spec.stateTtl() != null) {
            cmd.addAll(List.of("--state-ttl", spec.stateTtl().toMillis() + "ms"));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("job.out").toFile())).start();
    }

    /** SIGTERM (the job's shutdown hook stops Flink), then SIGKILL if it lingers. */
    private static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void createTopics(String bootstrap, String... names) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, PARTITIONS, (short) 1));
        }
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
