package io.rnnstream.bench.harness.kafka;

import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.SourceIdle;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.connectors.replay.Settle;
import io.rnnstream.job.KafkaJob;
import io.rnnstream.job.LocalFlink;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.bench.harness.BenchResult;
import io.rnnstream.bench.harness.BenchSpec;
import io.rnnstream.bench.harness.BenchStage;
import io.rnnstream.bench.harness.EndToEndBench;
import io.rnnstream.model.Model;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The path users run, measured: a real broker (a child JVM), the load generator (a child JVM), the job
 * on an embedded Flink in this JVM, and the measuring consumer (a child JVM), for the job and for its
 * anchors in turn on the same broker with the same records and delivery ({@link KafkaBenchStage}). Each
 * stage gets topics of its own and a fresh job; this JVM's other threads only sample CPU now and then,
 * so its CPU time is the job's. docs/BENCHMARKS.md explains the method.
 */
public final class KafkaBench {
    private KafkaBench() {}

    /** Hears how far each stage is. */
    public interface Listener {
        void stage(KafkaBenchStage stage, int index, int count);

        /** Outputs the read_uncommitted consumer has seen, of {@code expected}. */
        void progress(long seen, long expected);

        void stageDone(KafkaBenchResult result);
    }

    /**
     * Runs every stage of {@code spec}, one after another, on one broker started here.
     *
     * @param workDir the broker's files, the checkpoints and the children's settings and logs
     */
    public static List<KafkaBenchResult> run(KafkaBenchSpec spec, Model model, Path workDir, Listener listener)
            throws Exception {
        List<KafkaBenchResult> results = new ArrayList<>();
        Map<KafkaBenchStage, List<KafkaBenchResult>> byStage = new LinkedHashMap<>();
        if (spec.traceDir().isPresent()) {
            Files.createDirectories(spec.traceDir().get());
        }
        LocalKafkaBroker broker = null;
        try {
            int i = 0;
            int count = spec.stages().size() * spec.repeat();
            // Rounds over the stages, so that the machine's load changes touch every stage alike.
            for (int round = 0; round < spec.repeat(); round++) {
                for (KafkaBenchStage stage : spec.stages()) {
                    listener.stage(stage, i++, count);
                    KafkaBenchResult r;
                    if (stage == KafkaBenchStage.ENGINE) {
                        r = engine(spec, model);
                    } else {
                        if (broker == null) {
                            broker = LocalKafkaBroker.start(workDir.resolve("kafka"), 0, Duration.ofSeconds(90));
                        }
                        r = new StageRun(spec, stage, broker, model, workDir.resolve(stage.label() + "-" + round))
                                .run(listener);
                    }
                    listener.stageDone(r);
                    results.add(r);
                    byStage.computeIfAbsent(stage, s -> new ArrayList<>()).add(r);
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        if (spec.repeat() > 1) {
            for (List<KafkaBenchResult> runs : byStage.values()) {
                results.add(KafkaBenchResult.median(runs));
            }
        }
        return results;
    }

    /** The step operator alone ({@code rnnstream bench}, heap, unpaced): its CPU per event is the floor. */
    private static KafkaBenchResult engine(KafkaBenchSpec spec, Model model) throws Exception {
        BenchResult b = EndToEndBench.run(new BenchSpec("hashmap", spec.keys(), spec.events(), spec.warmup(),
                spec.sequenceLength(), null), BenchStage.rnnstream(), ModelProvider.of(model), model.id());
        return new KafkaBenchResult(KafkaBenchStage.ENGINE.label(), "-", spec.keys(), spec.events(),
                b.measuredEvents(), 0, b.eventsPerSecond(), Double.NaN, KafkaBenchResult.Latency.NONE,
                KafkaBenchResult.Latency.NONE, 1e6 / b.eventsPerCpuSecond(), Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, List.of(), List.of(), b.loadAverage(), KafkaBenchResult.Hops.NONE, Double.NaN);
    }

    /** One stage: topics, consumer, job, generator, and what they measured. */
    private static final class StageRun {
        private final KafkaBenchSpec spec;
        private final KafkaBenchStage stage;
        private final LocalKafkaBroker broker;
        private final Model model;
        private final Path dir;
        private final String events;
        private final String outputs;
        private final String deadLetters;
        private volatile long malformedSent;
        /** Outputs each consumer has seen, its CPU by the read_uncommitted count, and any error it printed. */
        private final AtomicLong seenUncommitted = new AtomicLong();
        private final AtomicLong seenCommitted = new AtomicLong();
        private final Series consumerCpu = new Series();
        private final Series generatorCpu = new Series();
        private final Series generatorTime = new Series();
        private final Series jobCpu = new Series();
        private final HarnessThreads harness = new HarnessThreads();
        private final Series harnessCpu = new Series();
        private final Series brokerCpu = new Series();
        private final Series jobGc = new Series();
        private final Series jobJit = new Series();
        private final Series consumerJit = new Series();
        private final Series generatorJit = new Series();
        private final AtomicReference<String> childError = new AtomicReference<>();
        private volatile boolean consumerReady;
        private volatile ChildJvm generator;
        private volatile boolean goSent;
        /** The longest wait for quiet after the warm-up: a busy machine may never be. */
        private static final java.time.Duration SETTLE_MAX = java.time.Duration.ofSeconds(15);
        /** When the generator resumed after the warm-up, and its CPU time then: the measured part's start. */
        private volatile long goMicros = -1;
        private volatile long goGeneratorCpu = -1;
        private volatile long goGeneratorJit = -1;

        StageRun(KafkaBenchSpec spec, KafkaBenchStage stage, LocalKafkaBroker broker, Model model, Path dir) {
            this.spec = spec;
            this.stage = stage;
            this.broker = broker;
            this.model = model;
            this.dir = dir;
            String run = stage.label() + "-" + UUID.randomUUID().toString().substring(0, 8);
            this.events = "events-" + run;
            this.outputs = "outputs-" + run;
            this.deadLetters = "dead-letters-" + run;
        }

        KafkaBenchResult run(Listener listener) throws Exception {
            Files.createDirectories(dir);
            createTopics();
            Path results = dir.resolve("consumer-results.properties");
            JobClient job = null;
            KafkaRelay relay = null;
            Thread sampler = null;
            // Consumer, job and generator start side by side: the warm-up's records wait in the topics for
            // whichever is last, and its outputs are all in before the measured part starts.
            harness.add(Thread.currentThread());
            try (ChildJvm consumer = ChildJvm.start("consumer", LatencyConsumer.class, consumerSettings(results), dir,
                    this::onConsumerLine)) {
                harness.add(consumer.reader());
                if (stage.runsJob()) {
                    job = startJob();
                } else if (stage.relays()) {
                    relay = KafkaRelay.start(broker.bootstrapServers(), events, outputs, spec.jobKafkaProperties(),
                            stage == KafkaBenchStage.RELAY_SERDE ? spec.format() : null, model.inputSize(), model.id(),
                            KafkaBenchStage.FixedOutput.output(model));
                }
                sampler = sampler();
                try (ChildJvm generator = ChildJvm.start("generator", LoadGenerator.class, generatorSettings(), dir,
                        this::onGeneratorLine)) {
                    this.generator = generator;
                    harness.add(generator.reader());
                    awaitConsumerReady(consumer);
                    if (job != null) {
                        awaitRunning(job);
                    }
                    goIfDrained();
                    while (!consumer.waitFor(Duration.ofMillis(100))) {
                        listener.progress(seenUncommitted.get(), spec.events());
                        checkAlive(job, generator);
                        if (relay != null && relay.failure() != null) {
                            throw new IllegalStateException("the relay failed: " + relay.failure(), relay.failure());
                        }
                    }
                    listener.progress(seenUncommitted.get(), spec.events());
                    if (!generator.waitFor(Duration.ofSeconds(30)) || generator.exitValue() != 0) {
                        throw new IllegalStateException("the load generator failed: " + generator.diagnosis());
                    }
                }
                if (consumer.exitValue() != 0 || !Files.exists(results)) {
                    throw new IllegalStateException("the measuring consumer failed: " + consumer.diagnosis());
                }
                if (expectedMalformed() > 0) {
                    // While the job runs: its next checkpoints commit whatever dead letters are still open.
                    reconcileDeadLetters();
                }
            } finally {
                if (sampler != null) {
                    sampler.interrupt();
                    sampler.join();
                }
                if (job != null) {
                    cancel(job);
                }
                if (relay != null) {
                    relay.close();
                }
            }
            return measure(results);
        }

        private Map<String, String> consumerSettings(Path results) {
            Map<String, String> s = new LinkedHashMap<>();
            s.put("bootstrap-servers", broker.bootstrapServers());
            // Kafka alone: the events topic is what the consumer reads.
            s.put("topic", stage == KafkaBenchStage.KAFKA ? events : outputs);
            s.put("expected", Long.toString(spec.events()));
            s.put("warmup", Long.toString(spec.warmup()));
            s.put("idle-timeout-ms", Long.toString(spec.timeout().toMillis()));
            s.put("results", results.toString());
            s.put("format", spec.format().label());
            s.put("values", stage == KafkaBenchStage.KAFKA || stage == KafkaBenchStage.RELAY ? "events" : "outputs");
            spec.consumerProperties().forEach((k, v) -> s.put("consumer." + k, v.toString()));
            spec.traceDir().ifPresent(t -> s.put("trace", t.resolve(dir.getFileName().toString()).toAbsolutePath().toString()));
            return s;
        }

        private Map<String, String> generatorSettings() {
            Map<String, String> s = new LinkedHashMap<>();
            s.put("bootstrap-servers", broker.bootstrapServers());
            s.put("topic", events);
            s.put("keys", Integer.toString(spec.keys()));
            s.put("events", Long.toString(spec.events()));
            s.put("rate", Long.toString(spec.rate()));
            s.put("warmup", Long.toString(spec.warmup()));
            s.put("paced-warm-up-ms", Long.toString(spec.pacedWarmUp().toMillis()));
            s.put("sequence-length", Integer.toString(spec.sequenceLength()));
            s.put("features", Integer.toString(model.inputSize()));
            s.put("malformed", Double.toString(stage.runsJob() ? spec.malformed() : 0));
            s.put("format", spec.format().label());
            spec.producerProperties().forEach((k, v) -> s.put("producer." + k, v.toString()));
            return s;
        }

        /** {@code ready}, {@code seen U C CPU_NS}, {@code done}, or an error line. */
        private void onConsumerLine(String line) {
            String[] f = line.split(" ");
            if (f[0].equals("ready")) {
                consumerReady = true;
            } else if (f[0].equals("seen") && f.length == 5) {
                long u = Long.parseLong(f[1]);
                seenUncommitted.set(u);
                seenCommitted.set(Long.parseLong(f[2]));
                consumerCpu.add(u, Long.parseLong(f[3]));
                consumerJit.add(u, Long.parseLong(f[4]));
                goIfDrained();
            } else if (f[0].equals("error")) {
                childError.compareAndSet(null, line);
            }
        }

        /**
         * Every malformed record the generator sent is one dead letter, read as a {@code read_committed}
         * consumer sees them.
         */
        /** One malformed record each time events × fraction passes a whole number: as the generator sends them. */
        private long expectedMalformed() {
            return stage.runsJob() ? (long) (spec.events() * spec.malformed()) : 0;
        }

        private void reconcileDeadLetters() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "reconcile-" + deadLetters);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            long n = 0;
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                c.subscribe(List.of(deadLetters));
                long quietSince = System.nanoTime();
                while (System.nanoTime() - quietSince < Duration.ofSeconds(n >= expectedMalformed() ? 2 : 15).toNanos()) {
                    int got = c.poll(Duration.ofMillis(200)).count();
                    if (got > 0) {
                        n += got;
                        quietSince = System.nanoTime();
                    }
                }
            }
            long sent = expectedMalformed();
            if (n != sent || (malformedSent != 0 && malformedSent != sent)) {
                throw new IllegalStateException("counts do not reconcile: the generator sent " + sent
                        + " malformed records, the dead-letter topic holds " + n);
            }
        }

        /**
         * The warm-up's outputs are all in (both consumers): once the compilers of this JVM (the job's) and
         * the machine's CPUs are quiet, the generator may send the measured events.
         */
        private synchronized void goIfDrained() {
            ChildJvm g = generator;
            if (!goSent && g != null && seenUncommitted.get() >= spec.warmup() && seenCommitted.get() >= spec.warmup()) {
                goSent = true;
                Thread go = new Thread(() -> {
                    try {
                        Settle.thisMachine().await(SETTLE_MAX);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    g.tell("go");
                }, "bench-go");
                go.setDaemon(true);
                go.start();
            }
        }

        /** {@code go WALL_US CPU_NS}, {@code sent N CPU_NS}, {@code done}, or an error line. */
        private void onGeneratorLine(String line) {
            String[] f = line.split(" ");
            if (f[0].equals("go") && f.length == 4) {
                goGeneratorCpu = Long.parseLong(f[2]);
                goGeneratorJit = Long.parseLong(f[3]);
                goMicros = Long.parseLong(f[1]);
            } else if (f[0].equals("malformed") && f.length == 2) {
                malformedSent = Long.parseLong(f[1]);
            } else if (f[0].equals("sent") && f.length == 4) {
                long n = Long.parseLong(f[1]);
                generatorCpu.add(n, Long.parseLong(f[2]));
                generatorJit.add(n, Long.parseLong(f[3]));
                generatorTime.add(n, ChildJvm.wallMicros());
            } else if (f[0].equals("error")) {
                childError.compareAndSet(null, line);
            }
        }

        private void awaitConsumerReady(ChildJvm consumer) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!consumerReady) {
                if (!consumer.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the measuring consumer did not get its partitions: "
                            + consumer.diagnosis());
                }
                Thread.sleep(20);
            }
        }

        private void createTopics() throws Exception {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            List<NewTopic> topics = new ArrayList<>();
            for (String t : List.of(events, outputs, deadLetters)) {
                topics.add(new NewTopic(t, spec.partitions(), (short) 1));
            }
            try (Admin a = Admin.create(p)) {
                a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            }
        }

        /** The stage's job on the CLI's embedded Flink (as {@code rnnstream stream} runs), submitted. */
        private JobClient startJob() throws Exception {
            StreamExecutionEnvironment env = LocalFlink.environment(spec.parallelism(), "hashmap",
                    dir.resolve("checkpoints"), spec.checkpointInterval(), -1);
            if (spec.bufferTimeoutMs() >= 0) {
                env.setBufferTimeout(spec.bufferTimeoutMs());
            }
            Properties kafka = spec.jobKafkaProperties();
            String group = "bench-" + outputs;
            DataStream<KeyedPayload> raw = env
                    .fromSource(SourceIdle.signalling(KafkaConnectors.eventSource(broker.bootstrapServers(), events,
                            group, StartingOffsets.EARLIEST, kafka, false, spec.format())),
                            WatermarkStrategy.noWatermarks(), "kafka-source")
                    .uid("rnnstream-kafka-source");
            stage.build(raw,
                    KafkaJob.outputSink(KafkaConnectors.sink(broker.bootstrapServers(), outputs, spec.delivery(),
                            group + "-out", kafka), spec.delivery(), spec.lingerAlways()),
                    KafkaConnectors.sink(broker.bootstrapServers(), deadLetters, spec.delivery(), group + "-dlq", kafka),
                    ModelProvider.of(model), model, StreamOptions.defaults().sequenceLength(spec.sequenceLength())
                            .stepBundle(spec.stepBundle()),
                    spec.format(), spec.keyShuffle());
            return env.executeAsync("rnnstream bench kafka: " + stage.label());
        }

        private void awaitRunning(JobClient job) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JobStatus status;
            while ((status = job.getJobStatus().get()) != JobStatus.RUNNING) {
                if (status.isTerminalState() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + stage.label() + " job did not start (" + status + "); see"
                            + " the log");
                }
                Thread.sleep(20);
            }
        }

        /*
         * How often the stage asks the job for its status while it waits: each answer is an RPC through the
         * MiniCluster's dispatcher and job master, whose threads are the job's JVM's; asked every 100 ms they
         * were ~1 % of the CPU the job was charged (docs/BENCHMARKS.md, session 26).
         */
        private static final long STATUS_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
        private long statusAskedAt = System.nanoTime();

        private void checkAlive(JobClient job, ChildJvm generator) throws Exception {
            if (childError.get() != null) {
                throw new IllegalStateException(childError.get());
            }
            if (!generator.isAlive() && generator.exitValue() != 0) {
                throw new IllegalStateException("the load generator failed: " + generator.diagnosis());
            }
            if (job == null || System.nanoTime() - statusAskedAt < STATUS_EVERY_NANOS) {
                return;
            }
            statusAskedAt = System.nanoTime();
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                // The job's own exception says why.
                job.getJobExecutionResult().get();
                throw new IllegalStateException("the " + stage.label() + " job stopped before its outputs were in");
            }
        }

        /** Looked up once: the lookup builds the list anew on every call, 20 times a second. */
        private static final List<java.lang.management.GarbageCollectorMXBean> COLLECTORS =
                ManagementFactory.getGarbageCollectorMXBeans();

        private static long gcMillis() {
            long ms = 0;
            for (var gc : COLLECTORS) {
                ms += Math.max(0, gc.getCollectionTime());
            }
            return ms;
        }

        /**
         * This JVM's (the job's) CPU and GC time and the broker's CPU time, every 50 ms. The job's CPU is the
         * JVM's less the harness's own threads in it ({@link HarnessThreads}), this one included.
         */
        private Thread sampler() {
            return ChildJvm.every50ms("bench-cpu-sampler", () -> {
                harness.add(Thread.currentThread());
                long now = ChildJvm.wallMicros();
                long harnessNanos = harness.cpuNanos();
                jobCpu.add(now, ChildJvm.ownCpuNanos() - harnessNanos);
                harnessCpu.add(now, harnessNanos);
                jobGc.add(now, gcMillis());
                jobJit.add(now, ChildJvm.compileMillis());
                brokerCpu.add(now, ChildJvm.cpuNanos(broker.pid()));
            });
        }

        private static void cancel(JobClient job) {
            try {
                job.cancel().get(60, TimeUnit.SECONDS);
            } catch (Exception alreadyDone) {
                // failed or finished: nothing to cancel
            }
        }

        private KafkaBenchResult measure(Path resultsFile) throws Exception {
            Properties r = new Properties();
            try (InputStream in = Files.newInputStream(resultsFile)) {
                r.load(in);
            }
            String u = LatencyConsumer.ISOLATION[0] + ".";
            String c = LatencyConsumer.ISOLATION[1] + ".";
            long seenU = Long.parseLong(r.getProperty(u + "count"));
            long seenC = Long.parseLong(r.getProperty(c + "count"));
            if (seenU < spec.events() || seenC < spec.events()) {
                throw new IllegalStateException(String.format("only %,d (read_uncommitted) and %,d (read_committed) of"
                        + " the %,d outputs arrived, none for %d s: see the logs in %s", seenU, seenC, spec.events(),
                        spec.timeout().toSeconds(), dir));
            }
            long w = spec.warmup();
            long e = spec.events();
            long measured = e - w;
            // The measured part: from the generator's resuming after the drained warm-up to the last output
            // the read_uncommitted consumer saw.
            double t0 = goMicros;
            double t1 = Long.parseLong(r.getProperty(u + "last-micros"));
            double rate = measured / ((t1 - t0) / 1e6);
            double generatorRate = measured / ((generatorTime.at(e) - t0) / 1e6);
            double generatorPerEvent = (generatorCpu.at(e) - goGeneratorCpu) / 1e3 / measured;
            double consumerPerEvent = (consumerCpu.at(e) - consumerCpu.at(w)) / 1e3 / measured;
            double jobPerEvent = stage.measuresJobJvm() ? (jobCpu.at(t1) - jobCpu.at(t0)) / 1e3 / measured
                    : Double.NaN;
            double brokerPerEvent = (brokerCpu.at(t1) - brokerCpu.at(t0)) / 1e3 / measured;
            double harnessPerEvent = stage.measuresJobJvm() ? (harnessCpu.at(t1) - harnessCpu.at(t0)) / 1e3 / measured
                    : Double.NaN;
            double gc = stage.measuresJobJvm() ? jobGc.at(t1) - jobGc.at(t0) : Double.NaN;
            // The harness JVM runs the job stages' MiniCluster: its compiling counts as the job's.
            double jit = (jobJit.at(t1) - jobJit.at(t0)) + (generatorJit.at(e) - goGeneratorJit)
                    + (consumerJit.at(e) - consumerJit.at(w));
            Histogram hu = LatencyConsumer.decode(r.getProperty(u + "latency-micros"));
            Histogram hc = LatencyConsumer.decode(r.getProperty(c + "latency-micros"));
            KafkaBenchResult.Hops hops = new KafkaBenchResult.Hops(
                    KafkaBenchResult.Latency.of(LatencyConsumer.decode(r.getProperty(u + "to-output-micros"))),
                    KafkaBenchResult.Latency.of(LatencyConsumer.decode(r.getProperty(u + "after-output-micros"))),
                    KafkaBenchResult.Latency.of(LatencyConsumer.decode(r.getProperty(c + "after-output-micros"))));
            // The format rides in the delivery column ("at-least-once avro"): JSON rows read as they always have.
            String delivery = KafkaBenchSpec.deliveryName(spec.delivery())
                    + (spec.format() == WireFormat.JSON ? "" : " " + spec.format().label());
            return new KafkaBenchResult(stage.label(), delivery, spec.keys(), e,
                    measured, spec.rate(), rate, generatorRate, KafkaBenchResult.Latency.of(hu),
                    KafkaBenchResult.Latency.of(hc), jobPerEvent, brokerPerEvent, generatorPerEvent, consumerPerEvent,
                    gc, jit, KafkaBenchResult.Second.parse(r.getProperty(u + "seconds")),
                    KafkaBenchResult.Second.parse(r.getProperty(c + "seconds")), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    hops.toOutput().count() > 0 ? hops : KafkaBenchResult.Hops.NONE, harnessPerEvent);
        }
    }
}
