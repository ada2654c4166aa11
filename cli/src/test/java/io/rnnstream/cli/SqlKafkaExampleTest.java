package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * docs/examples/kafka.sql as shipped, on a real broker (127.0.0.1, child JVM): only the broker address
 * changes, and the source is bounded so that the command returns. Outputs and dead letters are read
 * back with read_committed: one output per good event, equal to Forward, and the bad one a dead letter.
 */
class SqlKafkaExampleTest {
    static final Path MODEL = Path.of("../models/mnist-simplernn.rnns").toAbsolutePath();

    static final Duration QUIET = Duration.ofMillis(1_500);
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void theExampleScriptRunsKafkaToKafkaExactlyOnce() throws Exception {
        Model model = ModelLoader.load(MODEL);
        int t = 28;
        int d = model.inputSize();
        Random rnd = new Random(17);
        float[][][] seqs = new float[3][t][d];
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < t; s++) {
            for (int k = 0; k < seqs.length; k++) {
                for (int i = 0; i < d; i++) {
                    seqs[k][s][i] = rnd.nextFloat();
                }
                lines.add(RecordJson.event(new Event("k" + k, s, 1_700_000_000_000L + s, seqs[k][s], s == t - 1)));
            }
        }
        lines.add("{\"key\":\"bad\",\"step\":0,\"ts\":1700000000000,\"features\":[1,2]}");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(tmp.resolve("kafka"), 0, Duration.ofSeconds(60))) {
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic("events", 2, (short) 1), new NewTopic("outputs", 1, (short) 1),
                        new NewTopic("dead-letters", 1, (short) 1))).all().get();
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (String line : lines) {
                    producer.send(new ProducerRecord<>("events", new ObjectMapper().readTree(line).get("key").asText(),
                            line));
                }
            }
            String script = Files.readString(Path.of("../docs/examples/kafka.sql"))
                    .replace("127.0.0.1:9092", broker.bootstrapServers())
                    .replace("'models/mnist-simplernn.rnns'", "'" + MODEL + "'")
                    .replace("'format' = 'json',\n  -- A line", "'scan.bounded.mode' = 'latest-offset',\n  'format' = 'json',\n  -- A line");
            assertTrue(script.contains("scan.bounded.mode"), "the example's source table changed: adapt this test");
            Path file = tmp.resolve("kafka.sql");
            Files.writeString(file, script);
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new SqlCommand());
            cl.setErr(new PrintWriter(err));
            int rc = cl.execute("-f", file.toString(), "--parallelism", "2", "--checkpoint-interval", "500ms",
                    "--checkpoint-dir", tmp.resolve("cp").toString());
            assertEquals(0, rc, err.toString());

            List<String> outputs = broker.readCommitted("outputs", seqs.length * t, QUIET, WAIT);
            List<String> dead = broker.readCommitted("dead-letters", 1, QUIET, WAIT);
            assertEquals(seqs.length * t, outputs.size());
            assertEquals(1, dead.size(), dead.toString());
            assertTrue(dead.get(0).contains("wrong feature count"), dead.get(0));
            ObjectMapper json = new ObjectMapper();
            for (String line : outputs) {
                JsonNode n = json.readTree(line);
                int k = Integer.parseInt(n.get("key").asText().substring(1));
                int s = n.get("step").asInt();
                assertEquals(s == t - 1, n.get("final").asBoolean(), line);
                float[] want = Forward.sequences(model, seqs[k])[s];
                for (int u = 0; u < want.length; u++) {
                    assertEquals(want[u], Float.parseFloat(n.get("output").get(u).asText()), line);
                }
            }
        }
    }
}
