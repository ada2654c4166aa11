package io.rnnstream.cli;

import io.rnnstream.cli.demo.DemoReport;
import io.rnnstream.cli.demo.DemoSql;
import io.rnnstream.cli.demo.Scoreboard;
import io.rnnstream.connectors.replay.Settle;
import io.rnnstream.connectors.FileConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.connectors.replay.Interleaver;
import io.rnnstream.connectors.replay.KafkaReplay;
import io.rnnstream.job.JobOptions;
import io.rnnstream.job.KafkaJob;
import io.rnnstream.job.Pipeline;
import io.rnnstream.job.step.Head;
import io.rnnstream.job.LocalFlink;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.sql.SqlScript;
import io.rnnstream.trainer.data.Datasets;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.TrainTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole product on one machine: a real Kafka broker, the bundled MNIST model, the Flink job on
 * an embedded cluster, the held-out digits replayed as live interleaved traffic, and a report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = "Runs everything embedded: starts a Kafka broker on 127.0.0.1, loads the bundled MNIST"
                + " model, starts the streaming job on an embedded Flink (web UI on 127.0.0.1), replays the 2,000"
                + " held-out digits row by row as interleaved live sequences, and ends with accuracy, throughput,"
                + " latencies and an HTML report. Ctrl-C stops everything it started.")
final class DemoCommand extends BaseCommand {
    /** How the bundled model was made; {@code --train} runs it again. */
    static final String[] TRAIN_ARGS = {"train", "--data", "mnist", "--layers", "SimpleRNN(128)", "--epochs", "25",
        "--batch", "32", "--seed", "42", "--validation-split", "0.1", "--loss", "every-step", "--name",
        "mnist-simplernn"};
    static final String MODEL_FILE = "models/mnist-simplernn.rnns";

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Replay only the first N held-out digits (default: all 2,000).")
    int limit;

    @Option(names = "--concurrent", defaultValue = "64", paramLabel = "K",
            description = "Sequences in flight at once, their events interleaved (default: ${DEFAULT-VALUE}).")
    int concurrent;

    @Option(names = "--rate", defaultValue = "4000", paramLabel = "EVENTS_PER_S",
            description = "Replay rate, like live traffic the job keeps up with, so that latencies measure the"
                    + " pipeline and not a backlog; 0 sends as fast as the broker takes them, which measures peak"
                    + " throughput (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Use this model instead of the bundled one (it must read 28 features per step).")
    Path model;

    @Option(names = "--decide-at-precision", defaultValue = "0.95", paramLabel = "Q",
            description = "Flag each digit's first step at the confidence that reached precision Q on the model's"
                    + " validation digits (default: ${DEFAULT-VALUE}); a model without that table decides at"
                    + " confidence Q instead.")
    double decideAtPrecision;

    @Option(names = "--sql", description = "Run the job as Flink SQL (the Kafka SQL connector with JSON, RNN_CLASSIFY,"
            + " outputs written exactly once: docs/SQL.md) instead of the DataStream job; the replay, scoreboard"
            + " and report are the same.")
    boolean sql;

    @Option(names = "--train", description = "Retrain the bundled model first, with the command that made it.")
    boolean train;

    @Option(names = "--parallelism", description = "Flink parallelism (default: half this machine's cores, at least"
            + " 1: the broker, the replay and the scoreboard run on the same machine as the job).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "Checkpoints commit the outputs, so this bounds committed latency (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--web-ui-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Flink web UI on 127.0.0.1 at this port or the next free one (default: ${DEFAULT-VALUE}).")
    int webUiPort;

    @Option(names = "--metrics-port", defaultValue = "-1", paramLabel = "PORT",
            description = "Serve the job's metrics for Prometheus on http://127.0.0.1:PORT/metrics (default: off).")
    int metricsPort;

    @Option(names = "--report", defaultValue = ".rnnstream/demo-report", paramLabel = "DIR",
            description = "Where the HTML report goes (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Option(names = "--timeout", defaultValue = "5m", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "Give up when the outputs have not all arrived by then (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    protected int run() throws Exception {
        long t0 = System.nanoTime();
        if (parallelism == null) {
            // On two cores, one task thread beside the broker, replay and scoreboard: p50 10 ms against 26-85 at
            // parallelism 2, whose key shuffle also waits for its buffers (docs/BENCHMARKS.md, session 13).
            parallelism = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }
        if (parallelism < 1) {
            throw new ModelException("--parallelism must be at least 1, not " + parallelism);
        }
        if (metricsPort >= 0) {
            try {
                LocalFlink.requireFreeMetricsPort(metricsPort);
            } catch (IllegalArgumentException e) {
                throw new ModelException(e.getMessage(), e);
            }
        }
        Path home = Path.of(System.getProperty("rnnstream.home", ".")).toAbsolutePath();
        Path modelPath = model != null ? model : home.resolve(MODEL_FILE);
        if (train) {
            List<String> a = new ArrayList<>(List.of(TRAIN_ARGS));
            a.addAll(List.of("--out", modelPath.toString()));
            err().println("training: rnnstream " + String.join(" ", a));
            err().flush();
            int rc = Rnnstream.commandLine().execute(a.toArray(new String[0]));
            if (rc != 0) {
                return rc;
            }
        }
        if (!Files.exists(modelPath)) {
            throw new ModelException("the demo's model " + modelPath + " is missing; run 'rnnstream demo --train' to"
                    + " make it");
        }
        Model m = ModelLoader.load(modelPath);
        TrainTest mnist = Datasets.load("mnist", 0, 42);
        SequenceDataset test = mnist.test();
        if (limit > 0 && limit < test.size()) {
            test = test.limit(limit);
        }
        if (m.inputSize() != test.features()) {
            throw new ModelException("the model reads " + m.inputSize() + " features per step; MNIST rows have "
                    + test.features());
        }
        int n = test.size();
        int steps = test.maxLength();
        StreamOptions decisions = m.info().training().decisions().isEmpty()
                ? StreamOptions.defaults().decideAtConfidence(decideAtPrecision)
                : StreamOptions.defaults().decideAtPrecision(decideAtPrecision);
        Head.check(m, decisions);
        String warning = Head.decisionWarning(m, decisions);
        if (warning != null) {
            err().println(warning);
        }
        double threshold = Head.decisionThreshold(m, decisions);
        long totalEvents = (long) n * steps;
        out().printf(Locale.ROOT, "model     %s  %s%n", m.id(), m.describe());
        out().printf(Locale.ROOT, "data      %,d held-out MNIST digits, %d rows of %d pixels each → %,d events%n", n,
                steps, test.features(), totalEvents);
        out().flush();

        Path work = home.resolve(".rnnstream").resolve("demo-" + ProcessHandle.current().pid());
        removeStaleWorkDirs(work.getParent());
        Files.createDirectories(work);
        LocalKafkaBroker broker = null;
        JobClient job = null;
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = null;
        try {
            broker = LocalKafkaBroker.start(work.resolve("kafka"), 0, Duration.ofSeconds(90));
            out().println("kafka     " + broker.bootstrapServers() + " (KRaft, a real broker in a child JVM)");
            createTopics(broker.bootstrapServers(), parallelism);

            int uiPort = freePortFrom(webUiPort);
            StreamExecutionEnvironment env = LocalFlink.builder().parallelism(parallelism)
                    .checkpoints(work.resolve("checkpoints")).checkpointInterval(checkpointInterval).webUiPort(uiPort)
                    .metricsPort(metricsPort).environment();
            // As the job runs (rnnstream stream, JobMain): partly filled network buffers leave after 5 ms.
            env.setBufferTimeout(JobOptions.DEFAULT_BUFFER_TIMEOUT.toMillis());
            job = sql ? startSqlJob(env, broker.bootstrapServers(), modelPath, steps, threshold)
                    : startDataStreamJob(env, broker.bootstrapServers(), m, decisions);
            out().println("flink     " + (sql ? "SQL " : "") + "job " + job.getJobID() + ", parallelism " + parallelism + ", web UI http://127.0.0.1:"
                    + uiPort + (metricsPort >= 0 ? ", metrics http://127.0.0.1:" + metricsPort + "/metrics" : ""));
            out().flush();

            Scoreboard score = new Scoreboard(m.info().classNames(), m.outputSize(), steps);
            List<Interleaver.Sequence> seqs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String key = "digit-" + i;
                score.expect(key, test.y()[i]);
                seqs.add(new Interleaver.Sequence(key, test.x()[i]));
            }
            // When each event reached the broker: the start of both latencies.
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            AtomicLong deadLetters = new AtomicLong();
            AtomicLong lastOutputAt = new AtomicLong();
            AtomicReference<Exception> consumerFailure = new AtomicReference<>();
            String bootstrap = broker.bootstrapServers();
            consumer = new Thread(() -> {
                try {
                    consume(bootstrap, score, sentAt, deadLetters, lastOutputAt, stop);
                } catch (Exception e) {
                    consumerFailure.set(e);
                }
            }, "demo-consumer");
            consumer.start();

            int warmUpDigits = warmUpSequences(rate, steps);
            double warmUpRate = warmUpRate(rate, (long) warmUpDigits * steps);
            String pace = warmUpRate > 0 ? String.format(Locale.ROOT, " at %,d events/s", Math.round(warmUpRate)) : "";
            err().println("warming up: " + warmUpDigits + " training digits through the job" + pace + ", then until"
                    + " the JIT compilers and the CPUs are quiet (at most " + SETTLE_MAX.toSeconds() + " s), before the"
                    + " clock starts …");
            err().flush();
            warmUp(bootstrap, score, mnist.train(), warmUpDigits, warmUpRate);
            Duration settled = Settle.thisMachine().await(SETTLE_MAX);
            err().printf(Locale.ROOT, "warmed up; quiet after %.1f s%n", settled.toMillis() / 1000.0);
            err().flush();

            // The replay runs beside; this thread shows what a downstream consumer sees.
            AtomicLong sentCount = new AtomicLong();
            AtomicLong sentTotal = new AtomicLong(-1);
            AtomicReference<Exception> replayFailure = new AtomicReference<>();
            long replayStart = System.nanoTime();
            Thread replay = new Thread(() -> {
                try {
                    sentTotal.set(KafkaReplay.send(new Interleaver(seqs.iterator(), concurrent, 42,
                            System.currentTimeMillis(), 1), bootstrap, "events", new Properties(), rate, sentCount::set,
                            (e, ts) -> sentAt.put(e.key() + "#" + e.step(), ts)));
                } catch (Exception e) {
                    replayFailure.set(e);
                }
            }, "demo-replay");
            replay.setDaemon(true);
            replay.start();

            long deadline = System.nanoTime() + timeout.toNanos();
            Progress bar = Progress.start("stream", totalEvents, "outputs");
            while (System.nanoTime() < deadline && consumerFailure.get() == null && replayFailure.get() == null) {
                long seen = score.outputs() + deadLetters.get();
                double acc = score.accuracy();
                bar.message(String.format(Locale.ROOT, "sent %,d  finished %,d/%,d  accuracy %s", sentCount.get(),
                        score.finals(), n, Double.isNaN(acc) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * acc)));
                bar.update(score.outputs());
                if (sentTotal.get() >= 0 && seen >= sentTotal.get()) {
                    break;
                }
                Thread.sleep(100);
            }
            bar.finish(score.outputs());
            stop.set(true);
            if (replayFailure.get() != null) {
                throw replayFailure.get();
            }
            if (consumerFailure.get() != null) {
                throw consumerFailure.get();
            }
            long sent = Math.max(0, sentTotal.get());
            double seconds = Math.max(1e-9, (lastOutputAt.get() - replayStart) / 1e9);
            boolean complete = score.outputs() + deadLetters.get() >= sent;
            Path report = DemoReport.write(reportDir, m, score, n, sent, deadLetters.get(), seconds, parallelism,
                    threshold);

            out().println();
            out().printf(Locale.ROOT, "accuracy            %.2f%% of %,d digits (final step of each sequence)%n",
                    100 * score.accuracy(), score.finals());
            out().printf(Locale.ROOT, "early decisions     precision %.2f%% of %,d decided, mean decision row %.1f of %d"
                    + " (confidence ≥ %.3f%s)%n", 100 * score.decisionPrecision(), score.decisions(),
                    score.meanDecisionStep(), steps, threshold, m.info().training().decisions().isEmpty() ? ""
                            : ", which reached precision " + decideAtPrecision + " on validation");
            out().printf(Locale.ROOT, "events              %,d in, %,d outputs, %,d dead letters%s%n", sent, score.outputs(),
                    deadLetters.get(), complete ? "" : "  (INCOMPLETE: timed out)");
            out().printf(Locale.ROOT, "throughput          %,.0f events/s (replay start to last output, parallelism %d)%n",
                    score.outputs() / seconds, parallelism);
            out().printf(Locale.ROOT, "processing latency  p50 %d ms, p99 %d ms (event record written → output record"
                    + " written)%n", score.processingPercentile(0.5), score.processingPercentile(0.99));
            out().printf(Locale.ROOT, "committed latency   p50 %d ms, p99 %d ms (→ visible to a read_committed consumer;"
                    + " the %d ms checkpoint interval bounds it)%n", score.committedPercentile(0.5),
                    score.committedPercentile(0.99), checkpointInterval.toMillis());
            int half = score.seconds() / 2;
            if (half >= 10) {
                // The first half includes the JVMs' JIT warm-up (about a minute on two cores); the second is
                // what a job that has been running for a while gives.
                out().printf(Locale.ROOT, "  second half       processing p50 %d ms, p99 %d ms; committed p50 %d ms, p99 %d ms"
                        + " (outputs after %d s, once the JVMs had warmed up)%n", score.percentileFrom(half, 0.5, true),
                        score.percentileFrom(half, 0.99, true), score.percentileFrom(half, 0.5, false),
                        score.percentileFrom(half, 0.99, false), half);
            }
            out().printf(Locale.ROOT, "report              %s%n", report.toAbsolutePath());
            out().printf(Locale.ROOT, "took                %.1f s%n", (System.nanoTime() - t0) / 1e9);
            out().flush();
            return complete ? 0 : 1;
        } finally {
            stop.set(true);
            if (job != null) {
                try {
                    job.cancel().get();
                } catch (Exception alreadyDone) {
                    // the job failed or finished: nothing to cancel
                }
            }
            if (consumer != null) {
                consumer.join(10_000);
            }
            if (broker != null) {
                broker.close();
            }
            FileConnectors.deleteTree(work);
        }
    }

    private static JobClient startDataStreamJob(StreamExecutionEnvironment env, String bootstrap, Model m,
            StreamOptions decisions) throws Exception {
        KafkaJob.Settings kafka = KafkaJob.settings().bootstrapServers(bootstrap)
                .inputTopic("events").outputTopic("outputs").dlqTopic("dead-letters").groupId("rnnstream-demo")
                .startingOffsets(StartingOffsets.EARLIEST).transactionalIdPrefix("rnnstream-demo").build();
        KafkaJob.build(env, kafka, Pipeline.builder().model(ModelProvider.of(m)).options(decisions));
        return env.executeAsync("rnnstream demo");
    }

    /**
     * The same job through the SQL path: {@link DemoSql}'s script on the same environment (checkpoints,
     * state backend, buffer timeout), its statement set one job. The decision threshold is the one the
     * DataStream job would compute from {@code --decide-at-precision}, passed as RNN_CLASSIFY's
     * confidence, so both paths decide at the same step.
     */
    private static JobClient startSqlJob(StreamExecutionEnvironment env, String bootstrap, Path model, int steps,
            double threshold) throws Exception {
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        SqlScript.register(t);
        String script = DemoSql.builder().bootstrapServers(bootstrap).model(model).sequenceLength(steps)
                .decideAtConfidence(threshold).build().script();
        JobClient job = null;
        for (String statement : SqlScript.split(script)) {
            TableResult r = t.executeSql(statement);
            if (SqlScript.isDml(statement)) {
                job = r.getJobClient().orElseThrow();
            }
        }
        if (job == null) {
            throw new IllegalStateException("the demo's SQL started no job");
        }
        return job;
    }

    /**
     * Warm-up digits, each under a key of its own, replayed before the timed part: the job's tasks are
     * deployed, its consumer has its partitions and its first checkpoint has committed before the clock
     * starts. Their records are not scored. At least this many (about 5,000 events) ...
     */
    private static final int WARM_UP_SEQUENCES = 180;
    /**
     * ... and, at a paced rate, as many as the replay sends in this long. Paced, the requests between
     * the replay, the broker, the job and the scoreboard are as small and as many as in the replay, and
     * their code is compiled before the clock starts (docs/BENCHMARKS.md, session 14). Thirty seconds, not
     * four: with four, the compilers of the four JVMs on two cores were still at work in the replay's first
     * seconds, and those seconds set its p99 (median 29 ms against 17 ms in five alternating runs,
     * docs/BENCHMARKS.md, session 18); the demo takes ~25 s longer.
     */
    private static final Duration WARM_UP_PACED = Duration.ofSeconds(30);

    static int warmUpSequences(double rate, int steps) {
        if (rate <= 0) {
            return WARM_UP_SEQUENCES;
        }
        return (int) Math.max(WARM_UP_SEQUENCES, Math.ceil(rate * WARM_UP_PACED.toSeconds() / steps));
    }

    /** The replay's rate, but a slow one is raised so that the warm-up never takes more than twice its paced time. */
    static double warmUpRate(double rate, long events) {
        return rate <= 0 ? 0 : Math.max(rate, events / (2.0 * WARM_UP_PACED.toSeconds()));
    }

    /**
     * The longest wait, after the warm-up, for the JIT compilers and the CPUs to go quiet: on a busy
     * machine they may never, and the demo then starts anyway.
     */
    private static final Duration SETTLE_MAX = Duration.ofSeconds(15);

    private static void warmUp(String bootstrap, Scoreboard score, SequenceDataset digits, int sequences,
            double rate) throws Exception {
        long before = score.unknownKeys();
        // Enough events (about 5,000) for the JIT to compile the Kafka, Flink and kernel paths: with one
        // sequence the measured part started on interpreted code, and its first seconds' latency showed it.
        // Real digits, not zeros, so that writing and parsing JSON numbers runs as in the replay; training
        // digits, so that no held-out digit goes through the job before it is scored.
        List<Interleaver.Sequence> warm = new ArrayList<>();
        long expected = 0;
        for (int i = 0; i < sequences; i++) {
            float[][] x = digits.x()[i % digits.size()];
            warm.add(new Interleaver.Sequence("warm-up-" + i, x));
            expected += x.length;
        }
        KafkaReplay.send(new Interleaver(warm.iterator(), 50, 1, System.currentTimeMillis(), 1), bootstrap, "events",
                new Properties(), rate, x -> { });
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (score.unknownKeys() - before < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (score.unknownKeys() - before < expected) {
            throw new ModelException("the job did not answer the warm-up sequences within 120 s; see "
                    + System.getProperty("rnnstream.log.file", "the log"));
        }
    }

    /** A demo stopped by Ctrl-C leaves its broker's files (its processes are gone); clear them. */
    private static void removeStaleWorkDirs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith("demo-") || !name.substring(5).chars().allMatch(Character::isDigit)
                        || name.length() == 5) {
                    continue;
                }
                long pid = Long.parseLong(name.substring(5));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                FileConnectors.deleteTree(p);
            }
        } catch (IOException e) {
            // stale files are harmless; the next demo tries again
        }
    }

    private static void createTopics(String bootstrap, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin a = Admin.create(p)) {
            a.createTopics(List.of(new NewTopic("events", partitions, (short) 1),
                    new NewTopic("outputs", partitions, (short) 1),
                    new NewTopic("dead-letters", 1, (short) 1))).all().get();
        }
    }

    /** A read_committed consumer of outputs and dead letters: what a downstream application sees. */
    private static void consume(String bootstrap, Scoreboard score, Map<String, Long> sentAt, AtomicLong deadLetters,
            AtomicLong lastOutputAt, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-scoreboard");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of("outputs", "dead-letters"));
            while (!stop.get()) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (r.topic().equals("dead-letters")) {
                        deadLetters.incrementAndGet();
                        continue;
                    }
                    String v = r.value();
                    Long sent = sentAt.get(r.key() + "#" + stepOf(v));
                    score.accept(v, sent == null ? -1 : Math.max(0, r.timestamp() - sent),
                            sent == null ? -1 : Math.max(0, now - sent));
                    lastOutputAt.set(System.nanoTime());
                }
            }
        }
    }

    /** The "step" of an output record without parsing all of it (the scoreboard parses it once). */
    static int stepOf(String json) {
        int i = json.indexOf("\"step\":");
        if (i < 0) {
            return -1;
        }
        int j = i + 7;
        int v = 0;
        while (j < json.length() && Character.isDigit(json.charAt(j))) {
            v = v * 10 + (json.charAt(j++) - '0');
        }
        return v;
    }

    static int freePortFrom(int port) throws IOException {
        for (int p = port; p < port + 100; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", p));
                return p;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IOException("no free port for the web UI from " + port + " to " + (port + 99));
    }
}
