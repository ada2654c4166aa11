package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.testing.TestTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real standalone cluster (separate JobManager and TaskManager processes) against a
 * real broker, while events stream in:
 *
 * <ul>
 *   <li>TaskManagers are killed with {@code kill -9} mid-stream and replaced: a {@code read_committed}
 *       consumer sees every output exactly once, each key's steps contiguous, and the same bytes as a
 *       failure-free run;
 *   <li>the job is rescaled 2 → 1 → 3 through stop-with-savepoint mid-stream: the same bytes as a run
 *       at fixed parallelism, hidden states included (so each key's h moved with the key).
 * </ul>
 *
 * <p>The cluster keeps its state in RocksDB, as the Kubernetes manifest runs the job (with
 * {@code FlinkSettings.ROCKSDB_OPTIONS}): the crash restores RocksDB state from checkpoints and the rescale
 * splits it by key group, on real processes.
 *
 * <p>Short form by default (one kill, a few thousand events); {@code -Pcluster-tests} (system property
 * {@code rnnstream.cluster.tests=full}) runs 100,000 events over 1,000 keys and three kills.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCrashRescaleTest {
    static final boolean FULL = "full".equals(System.getProperty("rnnstream.cluster.tests", "short"));
    static final int KEYS = FULL ? 1000 : 150;
    static final int STEPS = FULL ? 100 : 40;
    static final int KILLS = FULL ? 3 : 1;
    /** Events per second the producer writes: slow enough that failures land mid-stream. */
    static final int RATE = FULL ? 1200 : 300;
    static final int D = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static LocalKafkaBroker broker;
    static StandaloneCluster cluster;
    static FlinkRest rest;
    static String jarId;
    static Path modelFile;
    static Model model;
    /** The failure-free run's outputs, sorted: what the other runs must equal. */
    static List<String> reference;

    @BeforeAll
    static void start() throws Exception {
        model = model();
        modelFile = tmp.resolve("cluster-test.rnns");
        ModelFile.write(model, modelFile);
        broker = LocalKafkaBroker.start(tmp.resolve("kafka"), 0, Duration.ofSeconds(90));
        cluster = StandaloneCluster.start(StandaloneCluster.Settings.of(tmp.resolve("flink"), 2, 2)
                .withConfig(Map.of("state.backend.type", "rocksdb",
                        // RocksDB's block cache and write buffers come out of managed memory.
                        "taskmanager.memory.managed.fraction", "0.2")),
                Duration.ofSeconds(120));
        rest = new FlinkRest(cluster.restUrl());
        jarId = rest.uploadJar(Path.of(System.getProperty("rnnstream.job.jar")));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** GRU(3 → 6) → Dense(3, softmax), seeded. */
    static Model model() {
        Random r = new Random(42);
        return new Model(new ModelInfo("cluster-test", 1, List.of("a", "b", "c"), "code"), -1, List.of(
                new Gru("gru", D, 6, Activation.TANH, Activation.SIGMOID, true, true, false, false, rnd(r, D, 18),
                        rnd(r, 6, 18), rnd(r, 2, 18)),
                new Dense("head", 6, 3, Activation.SOFTMAX, true, rnd(r, 6, 3), rnd(r, 3))));
    }

    static Tensor rnd(Random r, int... shape) {
        return TestTensors.uniform(r, 1.2f, shape);
    }

    static String key(int k) {
        return "key-" + k;
    }

    static float[][] sequence(int k) {
        Random r = new Random(1000L + k);
        float[][] x = new float[STEPS][D];
        for (float[] row : x) {
            for (int j = 0; j < D; j++) {
                row[j] = (r.nextFloat() - 0.5f) * 2f;
            }
        }
        return x;
    }

    static String event(int k, int step, float[] x) {
        StringBuilder b = new StringBuilder("{\"key\":\"").append(key(k)).append("\",\"step\":").append(step)
                .append(",\"features\":[");
        for (int j = 0; j < x.length; j++) {
            b.append(j == 0 ? "" : ",").append(x[j]);
        }
        return b.append("],\"end\":").append(step == STEPS - 1).append('}').toString();
    }

    /** Writes every key's steps, step by step across keys, at {@link #RATE} events per second. */
    static Thread producer(String topic, AtomicInteger sent, AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            float[][][] seqs = new float[KEYS][][];
            for (int k = 0; k < KEYS; k++) {
                seqs[k] = sequence(k);
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                long start = System.nanoTime();
                int n = 0;
                for (int s = 0; s < STEPS; s++) {
                    for (int k = 0; k < KEYS; k++) {
                        producer.send(new ProducerRecord<>(topic, key(k), event(k, s, seqs[k][s])));
                        n++;
                        long due = start + (long) (n * 1e9 / RATE);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        sent.set(n);
                    }
                }
                producer.flush();
            } catch (Throwable e) {
                error.set(e);
            }
        }, "producer-" + topic);
        t.setDaemon(true);
        return t;
    }

    static void createTopics(String... names) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, 4, (short) 1));
        }
        try (Admin a = Admin.create(p)) {
            a.createTopics(topics).all().get();
        }
    }

    static List<String> jobArgs(String name, String input) {
        return List.of("--model", modelFile.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--input-topic", input, "--output-topic", name + "-out", "--dlq-topic", name + "-dlq",
                "--group-id", name, "--transactional-id-prefix", name, "--checkpoint-interval", "500ms",
                "--emit-hidden", "--job-name", name);
    }

    static String submit(String name, String input, int parallelism, String savepoint) throws Exception {
        String job = rest.run(jarId, new FlinkRest.RunRequest("io.rnnstream.job.JobMain", jobArgs(name, input),
                parallelism, savepoint, false));
        awaitRunning(job);
        return job;
    }

    static void awaitRunning(String job) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!rest.allTasksRunning(job)) {
            assertTrue(System.currentTimeMillis() < deadline, "job " + job + " never ran: " + rest.job(job));
            Thread.sleep(200);
        }
    }

    static long completedCheckpoints(String job) throws Exception {
        return rest.checkpoints(job).path("counts").path("completed").asLong();
    }

    /** A TaskManager that runs some of the job's tasks (killing an idle one would prove nothing). */
    static Process busyTaskManager() throws Exception {
        List<String> busy = new ArrayList<>();
        for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
            if (tm.path("freeSlots").asInt() < tm.path("slotsNumber").asInt()) {
                busy.add(tm.path("id").asText());
            }
        }
        for (Process p : cluster.taskManagers()) {
            if (busy.contains(cluster.resourceId(p))) {
                return p;
            }
        }
        throw new AssertionError("no TaskManager runs tasks: " + busy);
    }

    /** Failures the job has seen (its exception history), each followed by a restart. */
    static int failures(String job) throws Exception {
        return rest.exceptions(job).path("exceptionHistory").path("entries").size();
    }

    static void awaitProduced(AtomicInteger sent, double fraction) throws InterruptedException {
        while (sent.get() < fraction * KEYS * STEPS) {
            Thread.sleep(50);
        }
    }

    /** Everything committed on {@code topic}, in partition order (so per-key order is kept). */
    static List<String> readCommitted(String topic, int expected, Duration timeout) {
        // A duplicate would show up in the 3 s after the expected count: past a few more checkpoints.
        return broker.readCommitted(topic, expected, Duration.ofSeconds(3), timeout);
    }

    /** Zero lost, zero duplicated, every key's steps 0..T-1 in order; returns the lines sorted. */
    static List<String> checkExactlyOnce(String what, List<String> lines) throws Exception {
        Map<String, List<Integer>> steps = new HashMap<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            steps.computeIfAbsent(n.get("key").asText(), k -> new ArrayList<>()).add(n.get("step").asInt());
        }
        assertEquals(KEYS * STEPS, lines.size(), what + ": outputs");
        assertEquals(KEYS, steps.size(), what + ": keys");
        for (Map.Entry<String, List<Integer>> e : steps.entrySet()) {
            List<Integer> s = e.getValue();
            for (int i = 0; i < s.size(); i++) {
                assertEquals(i, s.get(i), what + ": " + e.getKey() + " steps " + s);
            }
        }
        List<String> sorted = new ArrayList<>(lines);
        Collections.sort(sorted);
        return sorted;
    }

    static List<String> finish(String name, String job, Thread producer, AtomicReference<Throwable> error)
            throws Exception {
        producer.join();
        if (error.get() != null) {
            throw new AssertionError("the producer failed", error.get());
        }
        List<String> out = readCommitted(name + "-out", KEYS * STEPS, Duration.ofMinutes(FULL ? 5 : 3));
        List<String> dlq = readCommitted(name + "-dlq", 0, Duration.ofSeconds(3));
        rest.cancel(job);
        rest.awaitState(job, Duration.ofSeconds(60), "CANCELED", "FAILED", "FINISHED");
        assertEquals(List.of(), dlq, name + ": dead letters");
        return out;
    }

    @Test
    @Order(1)
    void killedTaskManagersLoseAndRepeatNothing() throws Exception {
        String name = "crash";
        createTopics("events-crash", name + "-out", name + "-dlq");
        String job = submit(name, "events-crash", 2, null);
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread producer = producer("events-crash", sent, error);
        producer.start();
        for (int i = 1; i <= KILLS; i++) {
            awaitProduced(sent, (double) i / (KILLS + 1));
            long checkpoints = completedCheckpoints(job);
            while (completedCheckpoints(job) < checkpoints + 1) {
                Thread.sleep(50);
            }
            Process victim = busyTaskManager();
            int failures = failures(job);
            int sentAtKill = sent.get();
            long t0 = System.nanoTime();
            cluster.killTaskManager(victim);
            cluster.startTaskManager();
            // The JobManager notices the lost TaskManager (heartbeat timeout or lost connections), fails
            // the tasks and restarts from the last checkpoint.
            long deadline = System.currentTimeMillis() + 60_000;
            while (failures(job) <= failures) {
                assertTrue(System.currentTimeMillis() < deadline, "the kill went unnoticed: " + rest.job(job));
                Thread.sleep(100);
            }
            awaitRunning(job);
            System.out.printf(Locale.ROOT, "kill %d at %d events sent: running again after %.1f s%n", i, sentAtKill,
                    (System.nanoTime() - t0) / 1e9);
        }
        assertTrue(failures(job) >= KILLS, "restarts: " + rest.exceptions(job));
        List<String> out = checkExactlyOnce(name, finish(name, job, producer, error));

        // The failure-free run over the very same input, at the same parallelism: the reference.
        String ref = "reference";
        createTopics(ref + "-out", ref + "-dlq");
        String refJob = submit(ref, "events-crash", 2, null);
        List<String> refOut = readCommitted(ref + "-out", KEYS * STEPS, Duration.ofMinutes(FULL ? 5 : 3));
        rest.cancel(refJob);
        reference = checkExactlyOnce(ref, refOut);
        checkAgainstKernel(reference);
        assertEquals(reference, out, "outputs through " + KILLS + " TaskManager kills equal a failure-free run");
        assertTaskManagersRanRocksDB();
    }

    /** The state really was in RocksDB, inside managed memory (Flink logs its shared cache per slot). */
    static void assertTaskManagersRanRocksDB() throws IOException {
        String expected = "Obtained shared RocksDB cache of size";
        try (var logs = Files.list(cluster.logDir())) {
            List<Path> tms = logs.filter(p -> p.getFileName().toString().startsWith("taskmanager")).toList();
            boolean found = false;
            for (Path log : tms) {
                found |= Files.readString(log).contains(expected);
            }
            assertTrue(found, "no TaskManager log (" + tms + ") says: " + expected);
        }
    }

    /** The reference itself equals the step kernel bit for bit. */
    static void checkAgainstKernel(List<String> lines) throws Exception {
        Map<Integer, float[][]> expected = new HashMap<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            int k = Integer.parseInt(n.get("key").asText().substring(4));
            int step = n.get("step").asInt();
            float[] want = expected.computeIfAbsent(k, kk -> Forward.sequences(model, sequence(kk)))[step];
            JsonNode o = n.get("output");
            assertEquals(want.length, o.size());
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits((float) o.get(i).asDouble()),
                        line);
            }
            assertEquals(6, n.get("hidden").size(), line);
        }
    }

    @Test
    @Order(2)
    void rescaledThroughSavepointsEqualsFixedParallelism() throws Exception {
        if (reference == null) {
            throw new AssertionError("needs the reference run of the crash test");
        }
        String name = "rescale";
        createTopics("events-rescale", name + "-out", name + "-dlq");
        String job = submit(name, "events-rescale", 2, null);
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread producer = producer("events-rescale", sent, error);
        producer.start();
        int[] next = {1, 3};
        for (int i = 0; i < next.length; i++) {
            awaitProduced(sent, (i + 1) / 3.0);
            String savepoint = rest.stopWithSavepoint(job, cluster.savepointDir().toUri().toString(),
                    Duration.ofMinutes(2));
            rest.awaitState(job, Duration.ofSeconds(60), "FINISHED");
            job = submit(name, "events-rescale", next[i], savepoint);
            System.out.printf(Locale.ROOT, "rescaled to %d at %d events sent from %s%n", next[i], sent.get(),
                    savepoint);
        }
        assertEquals(3, rest.job(job).path("vertices").findValues("parallelism").stream()
                .mapToInt(JsonNode::asInt).max().orElse(0));
        List<String> out = checkExactlyOnce(name, finish(name, job, producer, error));
        assertEquals(reference, out, "outputs (hidden states included) through 2 → 1 → 3 equal a run at parallelism 2");
        // The list through Flink's client is the REST API's list; timed, since the client is built per call.
        long t0 = System.nanoTime();
        List<FlinkRest.JobSummary> jobs = rest.jobs();
        long t1 = System.nanoTime();
        JsonNode overview = rest.get("/jobs/overview");
        long t2 = System.nanoTime();
        assertEquals(overview.path("jobs").size(), jobs.size(), overview.toString());
        String last = job;
        assertTrue(jobs.stream().anyMatch(j -> j.id().equals(last) && !j.state().isEmpty()), jobs.toString());
        System.out.printf(Locale.ROOT, "listing %d jobs: RestClusterClient %.0f ms (client built per call), HTTP GET"
                + " %.0f ms%n", jobs.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
}
