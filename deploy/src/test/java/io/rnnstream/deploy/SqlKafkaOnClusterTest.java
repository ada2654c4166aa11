package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * {@code 'connector' = 'rnnstream-kafka'} on the standalone cluster, as a SQL user there has it: Flink's
 * flink-sql-connector-kafka jar in lib/ (its Kafka clients relocated under
 * {@code org.apache.flink.kafka.shaded.}), the rnnstream SQL jar uploaded over REST and run with
 * {@code SqlJob}. Events from a real broker's topic (read to the offsets at the start, so the job ends)
 * through RNN_CLASSIFY into a topic written exactly once through the outage-safe sink; a
 * {@code read_committed} consumer finds every (key, step) once, bit for bit {@link Forward#sequences}.
 */
class SqlKafkaOnClusterTest {
    static final ObjectMapper JSON = SqlJarOnClusterTest.JSON;
    static final int KEYS = 8;
    static final int STEPS = SqlJarOnClusterTest.STEPS;

    @TempDir
    Path dir;

    @Test
    void rnnstreamKafkaWritesExactlyOnceOnTheClustersSqlConnector() throws Exception {
        Path modelFile = Path.of("..", "models", "mnist-simplernn.rnns").toAbsolutePath().normalize();
        Model model = ModelLoader.load(modelFile);
        Path kafkaJar = Path.of(System.getProperty("rnnstream.sql.kafka.jar",
                "target/sql-connectors/flink-sql-connector-kafka.jar"));
        assertTrue(Files.isRegularFile(kafkaJar), "no SQL Kafka connector at " + kafkaJar + ": mvn -B -o -pl deploy"
                + " generate-test-resources");

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Duration.ofSeconds(90))) {
            String bootstrap = broker.bootstrapServers();
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic("events", 2, (short) 1), new NewTopic("outputs", 2, (short) 1)))
                        .all().get();
            }
            Map<String, float[][]> inputs = new HashMap<>();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int k = 0; k < KEYS; k++) {
                    inputs.put("k" + k, SqlJarOnClusterTest.sequence(k, model.inputSize()));
                }
                for (int s = 0; s < STEPS; s++) {
                    for (int k = 0; k < KEYS; k++) {
                        String key = "k" + k;
                        producer.send(new ProducerRecord<>("events", key, JSON.writeValueAsString(Map.of("key", key,
                                "step", s, "features", inputs.get(key)[s], "end", s == STEPS - 1))));
                    }
                }
            }

            Path script = dir.resolve("job.sql");
            Files.writeString(script, String.join("\n",
                    "SET 'execution.checkpointing.interval' = '1 s';",
                    "CREATE TABLE events (`key` STRING, step INT, features ARRAY<FLOAT>, `end` BOOLEAN) WITH (",
                    "  'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = '" + bootstrap + "',",
                    "  'properties.group.id' = 'sql-on-cluster', 'scan.startup.mode' = 'earliest-offset',",
                    "  'scan.bounded.mode' = 'latest-offset', 'format' = 'json');",
                    "CREATE TABLE outputs (`key` STRING, step INT, output ARRAY<FLOAT>, `final` BOOLEAN) WITH (",
                    "  'connector' = 'rnnstream-kafka', 'topic' = 'outputs', 'properties.bootstrap.servers' = '"
                            + bootstrap + "',",
                    "  'key.format' = 'raw', 'key.fields' = 'key', 'value.format' = 'json',",
                    "  'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'sql-on-cluster',",
                    "  'properties.transaction.timeout.ms' = '900000');",
                    "INSERT INTO outputs SELECT `key`, step, output, `final` FROM RNN_CLASSIFY(",
                    "  input => TABLE events PARTITION BY `key`, model => '" + modelFile + "', uid => 'rnn-classify');"));

            SqlJarOnClusterTest.runToTheEnd(StandaloneCluster.Settings.of(dir.resolve("cluster"), 1, 2)
                    .withLibJars(List.of(kafkaJar)), script);

            List<String> lines = broker.readCommitted("outputs", KEYS * STEPS, Duration.ofSeconds(3),
                    Duration.ofMinutes(1));
            Map<String, List<Integer>> steps = new HashMap<>();
            for (String line : lines) {
                JsonNode r = JSON.readTree(line);
                String key = r.get("key").asText();
                int step = r.get("step").asInt();
                steps.computeIfAbsent(key, k -> new ArrayList<>()).add(step);
                assertArrayEquals(SqlJarOnClusterTest.bits(Forward.sequences(model, inputs.get(key))[step]),
                        SqlJarOnClusterTest.bits(SqlJarOnClusterTest.output(r)), line);
            }
            assertEquals(KEYS * STEPS, lines.size(), "one output per event, none twice");
            for (Map.Entry<String, List<Integer>> e : steps.entrySet()) {
                for (int s = 0; s < STEPS; s++) {
                    assertEquals(s, e.getValue().get(s), e.getKey() + "'s steps in order: " + e.getValue());
                }
            }
        }
    }
}
