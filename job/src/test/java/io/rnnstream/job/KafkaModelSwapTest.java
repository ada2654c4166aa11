package io.rnnstream.job;

import io.rnnstream.job.swap.ModelUpdate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap through a real broker: the Kafka job runs, a corrupted update and then a good one with an
 * effective ts arrive on the model topic mid-stream; the status topic says refused, then accepted;
 * every sequence's outputs equal predict of the model it was assigned, bit for bit.
 */
class KafkaModelSwapTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path brokerDir;

    static LocalKafkaBroker broker;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T_SWAP = 10_000;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = LocalKafkaBroker.start(brokerDir, 0, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static void createTopic(String name, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin a = Admin.create(p)) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String event(String key, int step, long ts, float[] x, boolean end) {
        StringBuilder b = new StringBuilder("{\"key\":\"").append(key).append("\",\"step\":").append(step)
                .append(",\"ts\":").append(ts).append(",\"features\":[");
        for (int i = 0; i < x.length; i++) {
            b.append(i == 0 ? "" : ",").append(Float.toString(x[i]));
        }
        return b.append("],\"end\":").append(end).append('}').toString();
    }

    private static void send(KafkaProducer<byte[], byte[]> p, String topic, String key, String value)
            throws Exception {
        p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8))).get();
    }

    /** Reads read_committed records until {@code n} arrived (or 60 s passed). */
    private static List<String> read(KafkaConsumer<String, String> c, List<String> got, int n) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (got.size() < n && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                got.add(r.value());
            }
        }
        return got;
    }

    private static KafkaConsumer<String, String> consumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    @Test
    void aModelPublishedMidStreamServesTheSequencesThatStartAfterItsTime() throws Exception {
        createTopic("events", 2);
        createTopic("models", 1);
        createTopic("outputs", 2);
        createTopic("dead-letters", 1);
        createTopic("model-status", 1);
        Model m0 = TestModels.stacked(3);
        Model a = TestModels.stacked(8).withInfo(new ModelInfo("swapped", 2, List.of(), "test"));

        Map<String, float[][]> before = new LinkedHashMap<>();
        Map<String, float[][]> after = new LinkedHashMap<>();
        int events = 0;
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            // Sequences that start (and "long", which also runs on past T_SWAP) before the swap time.
            for (int k = 0; k < 4; k++) {
                float[][] x = TestModels.sequence(200 + k, 5);
                before.put("p-" + k, x);
                for (int t = 0; t < 5; t++) {
                    send(p, "events", "p-" + k, event("p-" + k, t, 1000 + 100 * k + t, x[t], t == 4));
                    events++;
                }
            }
            float[][] lx = TestModels.sequence(300, 8);
            before.put("long", lx);
            for (int t = 0; t < 4; t++) {
                send(p, "events", "long", event("long", t, 2000 + t, lx[t], false));
                events++;
            }

            KafkaJob.Settings c = KafkaJob.settings().bootstrapServers(broker.bootstrapServers()).inputTopic("events")
                    .outputTopic("outputs").dlqTopic("dead-letters").groupId("swap")
                    .startingOffsets(StartingOffsets.EARLIEST).transactionalIdPrefix("test-swap")
                    .modelTopic("models").statusTopic("model-status").build();
            StreamExecutionEnvironment env = PipelineTest.env(false);
            env.enableCheckpointing(200);
            KafkaJob.build(env, c, Pipeline.builder().model(ModelProvider.of(m0)));
            JobClient job = env.executeAsync("swap");
            try (KafkaConsumer<String, String> status = consumer("model-status");
                    KafkaConsumer<String, String> outputs = consumer("outputs")) {
                List<String> out = new ArrayList<>();
                read(outputs, out, events);

                // Mid-stream: a corrupted update, then the good one, effective from T_SWAP.
                byte[] bytes = ModelFile.encode(a);
                byte[] broken = bytes.clone();
                broken[broken.length - 40] ^= 1;
                p.send(new ProducerRecord<>("models", null, "broken".getBytes(StandardCharsets.UTF_8), broken)).get();
                ProducerRecord<byte[], byte[]> good = new ProducerRecord<>("models", null,
                        a.id().getBytes(StandardCharsets.UTF_8), bytes);
                good.headers().add(ModelUpdate.EFFECTIVE_TS_HEADER,
                        Long.toString(T_SWAP).getBytes(StandardCharsets.UTF_8));
                p.send(good).get();
                List<String> st = read(status, new ArrayList<>(), 2);
                assertEquals(2, st.size(), st.toString());
                JsonNode refused = JSON.readTree(st.get(0));
                JsonNode accepted = JSON.readTree(st.get(1));
                assertEquals("refused", refused.get("status").asText(), st.get(0));
                assertTrue(refused.get("reason").asText().contains("checksum"), st.get(0));
                assertEquals("accepted", accepted.get("status").asText(), st.get(1));
                assertEquals(a.id(), accepted.get("model").asText());
                assertEquals(T_SWAP, accepted.get("effective_ts").asLong());

                // After the update: "long" goes on past T_SWAP on its own model, new sequences get a.
                for (int t = 4; t < 8; t++) {
                    send(p, "events", "long", event("long", t, T_SWAP + t, lx[t], t == 7));
                    events++;
                }
                for (int k = 0; k < 4; k++) {
                    float[][] x = TestModels.sequence(400 + k, 5);
                    after.put("q-" + k, x);
                    for (int t = 0; t < 5; t++) {
                        send(p, "events", "q-" + k, event("q-" + k, t, T_SWAP + 100 * k + t, x[t], t == 4));
                        events++;
                    }
                }
                read(outputs, out, events);
                assertEquals(events, out.size());
                for (String line : out) {
                    JsonNode n = JSON.readTree(line);
                    String key = n.get("key").asText();
                    int step = n.get("step").asInt();
                    boolean old = before.containsKey(key);
                    Model m = old ? m0 : a;
                    assertEquals(m.id(), n.get("model").asText(), line);
                    float[] expected = Forward.sequences(m, (old ? before : after).get(key))[step];
                    JsonNode o = n.get("output");
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]),
                                Float.floatToRawIntBits(Float.parseFloat(o.get(i).asText())), line);
                    }
                }
            } finally {
                job.cancel().get();
            }
        }
    }
}
