package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.kafka.KafkaConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.KafkaAccessException;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.connectors.kafka.LocalKafkaBroker.JobAccess;
import io.rnnstream.deploy.FlinkRest;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream stream} against a broker that authenticates (SASL/SCRAM-SHA-512) and authorizes (ACLs),
 * run as a user runs it: with the job user's properties file it reads and writes exactly once; with a wrong
 * password it stops within seconds on one line that says what to fix; and the password is nowhere the job
 * leaves text: its terminal output, its log, its output and dead-letter records, its web UI's job and
 * cluster configuration, exceptions and plan.
 */
class StreamSecurityTest {
    static final int KEYS = 20;
    static final int STEPS = 10;
    static final Duration FAIL_FAST = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void jobAuthenticatesReadsAndWritesAndNeverShowsThePassword() throws Exception {
        Model model = FaultRig.model();
        Path modelFile = dir.resolve("model.rnns");
        ModelFile.write(model, modelFile);
        Process wrong = null;
        Process stream = null;
        try (LocalKafkaBroker broker = LocalKafkaBroker.at(dir.resolve("kafka")).saslScram()
                .startTimeout(Duration.ofSeconds(120)).start()) {
            String bootstrap = broker.bootstrapServers();
            Path jobProperties = broker.jobPropertiesFile();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(jobProperties)));
            String password = password(jobProperties);
            assertTrue(password.length() >= 20, "a real password");
            createTopics(broker, "events", "outputs", "dead-letters");
            // What the job needs and no more (docs/RELIABILITY.md, "Security"); its default group is rnnstream
            // and its transactional ids start rnnstream-<group>.
            broker.grant(JobAccess.forUser(LocalKafkaBroker.JOB_USER).read("events").group("rnnstream")
                    .write("outputs", "dead-letters").transactionalIdPrefix("rnnstream-rnnstream"));
            produce(broker, "events");
            // What the job is not allowed stops it before it starts, named (in process: no JVM needed to see it).
            Properties jobClient = new Properties();
            try (var in = Files.newInputStream(jobProperties)) {
                jobClient.load(in);
            }
            Map<String, Runnable> refused = new LinkedHashMap<>();
            refused.put("describe topic unlisted", () -> KafkaConnectors.checkAccess(bootstrap, jobClient,
                    Duration.ofSeconds(30), List.of("events", "unlisted"), "rnnstream", List.of()));
            refused.put("use consumer group other", () -> KafkaConnectors.checkAccess(bootstrap, jobClient,
                    Duration.ofSeconds(30), List.of("events"), "other", List.of()));
            refused.put("use transactional id other-out-0-1", () -> KafkaConnectors.checkAccess(bootstrap, jobClient,
                    Duration.ofSeconds(30), List.of("events"), "rnnstream", List.of("other-out-0-1")));
            for (Map.Entry<String, Runnable> r : refused.entrySet()) {
                KafkaAccessException e = assertThrows(KafkaAccessException.class, r.getValue()::run, r.getKey());
                assertTrue(e.getMessage().contains("does not allow user rnnstream to " + r.getKey() + ": the job needs"
                        + " ACLs"), e.getMessage());
            }
            assertTrue(KafkaConnectors.checkAccess(bootstrap, jobClient, Duration.ofSeconds(30), List.of("events",
                    "outputs", "dead-letters"), "rnnstream", List.of("rnnstream-rnnstream-out-0-1")), "the broker answers");
            List<String> common = List.of("stream", "--model", modelFile.toString(), "--bootstrap-servers", bootstrap,
                    "--input-topic", "events", "--output-topic", "outputs", "--dlq-topic", "dead-letters",
                    "--parallelism", "2");

            // A wrong password: the job must not start and retry forever.
            Path wrongProperties = dir.resolve("wrong.properties");
            String wrongPassword = "wrong" + password.substring(5);
            Files.writeString(wrongProperties, Files.readString(jobProperties).replace(password, wrongPassword));
            List<String> wrongArgs = new ArrayList<>(common);
            wrongArgs.addAll(List.of("--kafka-properties-file", wrongProperties.toString()));
            long t0 = System.nanoTime();
            wrong = FaultRig.cli(dir, "wrong", wrongArgs);
            boolean exited = wrong.waitFor(FAIL_FAST.toSeconds(), TimeUnit.SECONDS);
            double failSeconds = FaultRig.seconds(t0, System.nanoTime());
            String wrongOut = Files.readString(dir.resolve("wrong.out"));
            assertTrue(exited, "a wrong password must stop the job within " + FAIL_FAST.toSeconds() + " s: " + wrongOut);
            assertNotEquals(0, wrong.exitValue(), wrongOut);
            String errorLine = wrongOut.lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("");
            assertTrue(errorLine.contains("refused the credentials of user rnnstream")
                    && errorLine.toLowerCase().contains("authentication") && errorLine.contains("--kafka-properties-file"),
                    "one line naming authentication and what to fix: " + wrongOut);
            System.out.printf("wrong password: exit %d after %.1f s: %s%n", wrong.exitValue(), failSeconds, errorLine);

            // The right one: every (key, step) once, read back by the super user.
            int ui = FaultRig.freePort();
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--kafka-properties-file", jobProperties.toString(), "--web-ui-port",
                    Integer.toString(ui)));
            long t1 = System.nanoTime();
            stream = FaultRig.cli(dir, "stream", args);
            FlinkRest rest = new FlinkRest("http://127.0.0.1:" + ui);
            Process running = stream;
            FaultRig.awaitCondition(() -> tasksRunning(rest) || !running.isAlive(), Duration.ofMinutes(4),
                    () -> "the stream job to run; see " + dir.resolve("stream.out"));
            System.out.printf("the job's tasks ran %.1f s after it started%n", FaultRig.seconds(t1, System.nanoTime()));
            List<String> outputs = broker.readCommitted("outputs", KEYS * STEPS, Duration.ofSeconds(3),
                    Duration.ofMinutes(2));
            System.out.printf("all %d outputs committed %.1f s after the job started%n", outputs.size(),
                    FaultRig.seconds(t1, System.nanoTime()));
            assertTrue(stream.isAlive(), "rnnstream stream exited: " + Files.readString(dir.resolve("stream.out")));
            FaultRig.checkExactlyOnce(model, outputs, KEYS, STEPS, "SASL/SCRAM");
            List<String> deadLetters = broker.readCommitted("dead-letters", 1, Duration.ofSeconds(1),
                    Duration.ofMinutes(1));
            assertEquals(1, deadLetters.size(), "the one malformed event: " + deadLetters);

            // Everything the web UI serves about the job and the cluster it runs on.
            String job = rest.jobs().get(0).id();
            var failures = rest.exceptions(job).path("exceptionHistory").path("entries");
            assertEquals(0, failures.size(), "the job failed on its way (the ACLs too few?): " + failures);
            Map<String, String> seen = new LinkedHashMap<>();
            for (String path : List.of("/jobs/" + job, "/jobs/" + job + "/config", "/jobs/" + job + "/exceptions",
                    "/jobs/" + job + "/plan", "/jobs/" + job + "/checkpoints/config", "/jobmanager/config",
                    "/jobmanager/environment", "/taskmanagers")) {
                seen.put("GET " + path, rest.get(path).toString());
            }
            FaultRig.stop(stream);
            seen.put("stream's output", Files.readString(dir.resolve("stream.out")));
            seen.put("stream's log", Files.readString(dir.resolve("stream.log")));
            seen.put("wrong's output", wrongOut);
            seen.put("wrong's log", Files.readString(dir.resolve("wrong.log")));
            seen.put("output records", String.join("\n", outputs));
            seen.put("dead letters", String.join("\n", deadLetters));
            try (Stream<Path> files = Files.walk(dir.resolve("tmp"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    seen.put(f.toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            for (Map.Entry<String, String> e : seen.entrySet()) {
                assertFalse(e.getValue().contains(password), "the password is in " + e.getKey());
                assertFalse(e.getValue().contains(wrongPassword), "the wrong password is in " + e.getKey());
            }
            assertTrue(seen.get("GET /jobs/" + job + "/config").contains("execution-config"), seen.toString());
        } finally {
            FaultRig.stop(wrong);
            FaultRig.stop(stream);
        }
    }

    static boolean tasksRunning(FlinkRest rest) {
        try {
            return rest.allTasksRunning(rest.jobs().get(0).id());
        } catch (Exception notYet) {
            return false;
        }
    }

    /** The password in a client properties file's JAAS line. */
    static String password(Path clientProperties) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newInputStream(clientProperties)) {
            p.load(in);
        }
        Matcher m = Pattern.compile("password=\"([^\"]+)\"").matcher(p.getProperty("sasl.jaas.config"));
        assertTrue(m.find(), "a JAAS line with a password");
        return m.group(1);
    }

    static void createTopics(LocalKafkaBroker broker, String... names) throws Exception {
        Properties p = broker.adminProperties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, FaultRig.PARTITIONS, (short) 1));
        }
        try (Admin a = Admin.create(p)) {
            a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Every step of every key as the super user, and one malformed event for a dead letter. */
    static void produce(LocalKafkaBroker broker, String topic) throws Exception {
        Properties p = broker.adminProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (int k = 0; k < KEYS; k++) {
                float[][] x = FaultRig.sequence(k, STEPS);
                for (int s = 0; s < STEPS; s++) {
                    producer.send(new ProducerRecord<>(topic, FaultRig.key(k), FaultRig.event(k, s, x[s],
                            s == STEPS - 1)));
                }
            }
            producer.send(new ProducerRecord<>(topic, "bad", "{not json"));
            producer.flush();
        }
    }
}
