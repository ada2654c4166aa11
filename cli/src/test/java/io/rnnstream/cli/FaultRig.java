package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.connectors.replay.ReplayEvent;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the fault tests share: a seeded model and its events, a paced producer, a {@code read_committed}
 * collector that outlives broker outages, the exactly-once and bit-for-bit check, and the job run as a
 * user runs it (the CLI in a child JVM). Everything on 127.0.0.1; every process started here is stopped
 * by whoever started it, in a finally block.
 */
final class FaultRig {
    private FaultRig() {}

    /** The long forms ({@code -Pfaults}): minutes-long outages; the short forms fit in CI. */
    static final boolean LONG = "long".equals(System.getProperty("rnnstream.faults", "short"));
    static final int D = 3;
    static final int PARTITIONS = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    /** GRU(3 → 6) → Dense(3, softmax), seeded: small enough that the faults, not the model, take the time. */
    static Model model() {
        Random r = new Random(42);
        return new Model(new ModelInfo("faults", 1, List.of("a", "b", "c"), "code"), -1, List.of(
                new Gru("gru", D, 6, Activation.TANH, Activation.SIGMOID, true, true, false, false,
                        RnnstreamTest.rand(r, D, 18), RnnstreamTest.rand(r, 6, 18), RnnstreamTest.rand(r, 2, 18)),
                new Dense("head", 6, 3, Activation.SOFTMAX, true, RnnstreamTest.rand(r, 6, 3),
                        RnnstreamTest.rand(r, 3))));
    }

    static String key(int k) {
        return "key-" + k;
    }

    /** Key k's inputs, the same on every call. */
    static float[][] sequence(int k, int steps) {
        float[][] x = new float[steps][];
        for (int s = 0; s < steps; s++) {
            x[s] = RnnstreamTest.randomInput(1000L * k + s, D);
        }
        return x;
    }

    /** As {@code rnnstream replay} writes events; ts grows with the step, as it does in production order. */
    static String event(int k, int step, float[] x, boolean end) {
        return new ReplayEvent(key(k), step, 1_700_000_000_000L + step * 1000L, x, end).toJson();
    }

    static void createTopics(String bootstrap, String... names) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, PARTITIONS, (short) 1));
        }
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Writes every step of keys {@code [fromKey, toKey)}, step by step across keys, at {@code rate} events
     * a second, in a thread of its own, so that a fault lands while events flow. It rides out a broker
     * outage: sends wait in the producer's buffer and go out (idempotently, in order) once the broker is
     * back.
     */
    static final class Producer {
        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        private volatile Throwable error;

        Producer(String bootstrap, String topic, int fromKey, int toKey, int steps, int rate) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()));
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()));
            thread = new Thread(() -> {
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                        new StringSerializer())) {
                    float[][][] x = new float[toKey][][];
                    for (int k = fromKey; k < toKey; k++) {
                        x[k] = sequence(k, steps);
                    }
                    long start = System.nanoTime();
                    int n = 0;
                    for (int s = 0; s < steps; s++) {
                        for (int k = fromKey; k < toKey; k++) {
                            producer.send(new ProducerRecord<>(topic, key(k), event(k, s, x[k][s], s == steps - 1)),
                                    (md, e) -> {
                                        if (e != null) {
                                            error = e;
                                        }
                                    });
                            sent.set(++n);
                            long wait = start + (long) (n * 1e9 / rate) - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                    }
                    producer.flush();
                } catch (Throwable e) {
                    error = e;
                }
            }, "produce-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        int sent() {
            return sent.get();
        }

        void join() throws InterruptedException {
            thread.join();
            if (error != null) {
                throw new AssertionError("the test's producer failed", error);
            }
        }
    }

    /**
     * Reads a topic with {@code read_committed} in a thread of its own from the beginning, with no group
     * (nothing to rebalance across a broker restart), noting when each record arrived.
     */
    static final class Collector implements AutoCloseable {
        private final List<String> values = new ArrayList<>();
        private final List<Long> arrivals = new ArrayList<>();
        private final Thread thread;
        private volatile boolean stop;
        private volatile Throwable error;

        Collector(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            thread = new Thread(() -> {
                try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(),
                        new StringDeserializer())) {
                    List<TopicPartition> parts = new ArrayList<>();
                    for (int i = 0; i < PARTITIONS; i++) {
                        parts.add(new TopicPartition(topic, i));
                    }
                    c.assign(parts);
                    c.seekToBeginning(parts);
                    while (!stop) {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                            synchronized (this) {
                                values.add(r.value());
                                arrivals.add(System.nanoTime());
                            }
                        }
                    }
                } catch (Throwable e) {
                    error = e;
                }
            }, "collect-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        synchronized int count() {
            return values.size();
        }

        synchronized List<String> values() {
            return List.copyOf(values);
        }

        /** When the first record after {@code nanos} arrived, or -1. */
        synchronized long firstArrivalAfter(long nanos) {
            for (long t : arrivals) {
                if (t > nanos) {
                    return t;
                }
            }
            return -1;
        }

        synchronized long lastArrival() {
            return arrivals.isEmpty() ? -1 : arrivals.get(arrivals.size() - 1);
        }

        /** Waits for {@code n} records, then reads on for {@code settle}: a duplicate would arrive then. */
        List<String> await(int n, Duration timeout, Duration settle, String what) throws InterruptedException {
            awaitCondition(() -> count() >= n || error != null, timeout,
                    () -> what + ": " + count() + " of " + n + " outputs committed");
            if (error != null) {
                throw new AssertionError("the read_committed consumer failed", error);
            }
            Thread.sleep(settle.toMillis());
            return values();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }

    /**
     * Each key of {@code [0, keys)} exactly once per step, its steps in order (one key's outputs share a
     * partition), and every output bit for bit what the step kernel computes ({@code predict}'s numbers).
     */
    static void checkExactlyOnce(Model model, List<String> lines, int keys, int steps, String what)
            throws IOException {
        Map<String, List<Integer>> stepsOf = new HashMap<>();
        Map<Integer, float[][]> expected = new HashMap<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            String key = n.get("key").asText();
            int step = n.get("step").asInt();
            stepsOf.computeIfAbsent(key, k -> new ArrayList<>()).add(step);
            int k = Integer.parseInt(key.substring(4));
            float[] want = expected.computeIfAbsent(k, kk -> Forward.sequences(model, sequence(kk, steps)))[step];
            JsonNode o = n.get("output");
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits((float) o.get(i).asDouble()),
                        what + ": " + line);
            }
        }
        assertEquals(keys, stepsOf.size(), what + ": keys");
        for (Map.Entry<String, List<Integer>> e : stepsOf.entrySet()) {
            List<Integer> s = e.getValue();
            List<Integer> want = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                want.add(i);
            }
            assertEquals(want, s, what + ": " + e.getKey() + "'s steps (nothing lost, nothing twice, in order)");
        }
        assertEquals(keys * steps, lines.size(), what + ": outputs");
    }

    /**
     * A broker outage: {@code broker} stopped for {@code outage}, then a broker started again on the same
     * port and data directory, which is returned.
     */
    static LocalKafkaBroker brokerOutage(LocalKafkaBroker broker, Path dataDir, int port, Duration outage)
            throws Exception {
        broker.close();
        Thread.sleep(outage.toMillis());
        return LocalKafkaBroker.start(dataDir, port, Duration.ofSeconds(120));
    }

    /** {@code rnnstream ARGS} in a child JVM, as {@code ./rnnstream} runs it; output and log in {@code dir}. */
    static Process cli(Path dir, String name, List<String> args) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx768m", "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Drnnstream.log.file=" + dir.resolve(name + ".log"), "-cp", LocalKafkaBroker.classpath(),
                Rnnstream.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()))
                .start();
    }

    /** SIGTERM, then SIGKILL if it lingers. */
    static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    static void awaitCondition(BooleanSupplier done, Duration timeout, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what.get());
            }
            Thread.sleep(200);
        }
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    /**
     * Makes every directory under {@code root} refuse new entries: {@code chattr +i} when the tests run
     * as root (whom permissions do not stop), else {@code chmod a-w}. {@link #unfreeze} undoes it.
     */
    static void freeze(Path root) throws IOException, InterruptedException {
        setWritable(root, false);
    }

    static void unfreeze(Path root) throws IOException, InterruptedException {
        setWritable(root, true);
    }

    private static void setWritable(Path root, boolean writable) throws IOException, InterruptedException {
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        // Top down, so that no new entry appears behind the walk; a checkpoint directory Flink deletes
        // meanwhile (a subsumed one) is simply gone.
        for (Path d : directories(root)) {
            try {
                if (asRoot) {
                    run("chattr", writable ? "-i" : "+i", d.toString());
                } else {
                    d.toFile().setWritable(writable);
                }
            } catch (IOException e) {
                if (Files.exists(d)) {
                    throw e;
                }
            }
        }
    }

    private static List<Path> directories(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d,
                    java.nio.file.attribute.BasicFileAttributes attributes) {
                dirs.add(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException gone) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return dirs;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    /**
     * Mounts a tmpfs of {@code megabytes} on {@code dir}, the only way to give a test a disk that can be
     * filled without filling the machine's. Needs root; false (and {@code dir} a plain directory) otherwise.
     */
    static boolean mountSmallDisk(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    static void unmountSmallDisk(Path dir) throws IOException, InterruptedException {
        run("umount", "--lazy", dir.toString());
    }

    /** Writes {@code filler} until the disk under it is full; returns the bytes written. */
    static long fillDisk(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        long written = 0;
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            if (full.getMessage() == null || !full.getMessage().contains("No space left")) {
                throw full;
            }
            return written;
        }
    }

    static long linesContaining(Path file, String text) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }
}
