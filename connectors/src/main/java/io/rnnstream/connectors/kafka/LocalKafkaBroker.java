package io.rnnstream.connectors.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a child JVM started
 * from Kafka's own jars, bound to 127.0.0.1 only. It is what {@code ./rnnstream kafka}, the demo
 * and the tests use: no Docker, no download, and the same broker code a production cluster runs.
 *
 * <p>The child JVM needs {@code kafka_2.13} and its dependencies on this JVM's classpath; the CLI
 * carries them, the job jar does not.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;

    private LocalKafkaBroker(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        // Ctrl-C on the CLI, or a test JVM that exits early, must not leave a broker behind.
        this.shutdownHook = new Thread(this::stopProcess, "stop-local-kafka");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Formats {@code dir} (when it holds no broker yet) and starts the broker.
     *
     * @param port the client port on 127.0.0.1, or 0 for a free one
     */
    public static LocalKafkaBroker start(Path dir, int port, Duration timeout) throws IOException {
        Files.createDirectories(dir);
        dir = dir.toAbsolutePath();
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path logs = dir.resolve("logs");
        Path config = dir.resolve("server.properties");
        Files.writeString(config, serverProperties(clientPort, controllerPort, logs), StandardCharsets.UTF_8);
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, log4jProperties(dir.resolve("broker.log")), StandardCharsets.UTF_8);
        if (!Files.exists(logs.resolve("meta.properties"))) {
            // transaction.version=1: with version 2 (a fresh 4.x broker's default) the exactly-once
            // committer was seen to log "producer is already fenced" on recovery.
            Process format = javaProcess(log4j, "kafka.tools.StorageTool", "format", "-t",
                    Uuid.randomUuid().toString(), "-c", config.toString(), "--feature", "transaction.version=1")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("format.log").toFile())
                    .start();
            waitFor(format, timeout, "formatting the broker's storage", dir.resolve("format.log"));
            if (format.exitValue() != 0) {
                throw new IOException("could not format Kafka storage in " + logs + ": see " + dir.resolve("format.log"));
            }
        }
        Process broker = javaProcess(log4j, "kafka.Kafka", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
                .start();
        LocalKafkaBroker b = new LocalKafkaBroker(dir, clientPort, broker);
        try {
            b.awaitReady(timeout);
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /**
     * What an exactly-once sink committed to {@code topic}, as a read_committed consumer sees it: reads
     * until {@code expected} values came, then {@code quiet} longer (a duplicate would show up then), or
     * until {@code timeout}. For tests and checks; the values in arrival order.
     */
    public List<String> readCommitted(String topic, int expected, Duration quiet, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
                if (got.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + quiet.toMillis();
                }
            }
        }
        return got;
    }

    /** The broker JVM's process id (its CPU time, for benchmarks). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the broker process exits (for {@code ./rnnstream kafka}). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run: nothing left to do
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: Kafka shuts down cleanly and keeps its logs consistent
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited with code " + process.exitValue() + "; see "
                        + dir.resolve("broker.out") + " and " + dir.resolve("broker.log"));
            }
            if (portOpen(port)) {
                Properties p = new Properties();
                p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
                p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
                p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
                try (Admin admin = Admin.create(p)) {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // the controller may still be electing itself
                }
            }
            sleep(200);
        }
        throw new IOException("the Kafka broker did not start within " + timeout.toSeconds() + " s; see "
                + dir.resolve("broker.log"));
    }

    private static ProcessBuilder javaProcess(Path log4j, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms256m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseG1GC");
        cmd.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        cmd.add("-Djava.io.tmpdir=" + log4j.getParent());
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /**
     * This JVM's classpath, for a child JVM that runs Kafka's code or ours; under Surefire the real one
     * is in a system property, not java.class.path.
     */
    public static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        if (!cp.contains("kafka_2.13")) {
            throw new IllegalStateException("the Kafka broker's jars (org.apache.kafka:kafka_2.13) are not on the"
                    + " classpath; run the broker through ./rnnstream kafka");
        }
        return cp;
    }

    private static String serverProperties(int clientPort, int controllerPort, Path logs) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logs.toString().replace(File.separatorChar, '/'),
                "num.partitions=2",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Flink's exactly-once sink may hold a transaction open across a checkpoint interval.
                "transaction.max.timeout.ms=900000",
                "log.retention.hours=24",
                "");
    }

    private static String log4jProperties(Path file) {
        return String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.file.ref=File",
                "appender.file.type=File",
                "appender.file.name=File",
                "appender.file.fileName=" + file.toString().replace(File.separatorChar, '/'),
                "appender.file.layout.type=PatternLayout",
                "appender.file.layout.pattern=%d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                "");
    }

    private static void waitFor(Process p, Duration timeout, String what, Path log) throws IOException {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " took more than " + timeout.toSeconds() + " s; see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
