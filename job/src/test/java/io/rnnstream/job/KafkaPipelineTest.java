package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka topology against a real broker: events in, outputs and dead letters out through the
 * exactly-once sinks, seen by a read_committed consumer. Counts reconcile, outputs equal the step
 * kernel bit for bit, and a failure forced mid-stream changes nothing a consumer sees.
 */
class KafkaPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path brokerDir;

    static LocalKafkaBroker broker;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelProvider MODEL = () -> TestModels.stacked(3);

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

    static Properties admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return p;
    }

    static void createTopics(String... names) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, 2, (short) 1));
        }
        try (Admin a = Admin.create(admin())) {
            a.createTopics(topics).all().get();
        }
    }

    /** Good events (record key = event key) plus bad ones, and one event that takes its record's key. */
    static int produce(String topic, Map<String, float[][]> sequences) throws Exception {
        List<String> good = PipelineTest.goodEvents(sequences);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        int n = 0;
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String line : good) {
                String key = JSON.readTree(line).get("key").asText();
                producer.send(new ProducerRecord<>(topic, key, line));
                n++;
            }
            for (String line : PipelineTest.badEvents()) {
                producer.send(new ProducerRecord<>(topic, null, line));
                n++;
            }
            // No "key" field: the record key names the sequence.
            producer.send(new ProducerRecord<>(topic, "from-record-key",
                    "{\"step\":0,\"features\":[0.5,0.25,-1],\"end\":true}"));
            n++;
            producer.flush();
        }
        return n;
    }

    static List<String> readCommitted(String topic, int expected) {
        // Reads on 1.5 s past the expected count: a duplicate would show up then.
        List<String> got = new ArrayList<>(broker.readCommitted(topic, expected, Duration.ofMillis(1_500),
                Duration.ofSeconds(30)));
        Collections.sort(got);
        return got;
    }

    static List<List<String>> run(String in, String name, boolean fail, int expectedRecords) throws Exception {
        return run(in, name, fail, expectedRecords, DeliveryGuarantee.EXACTLY_ONCE);
    }

    static List<List<String>> run(String in, String name, boolean fail, int expectedRecords, DeliveryGuarantee delivery)
            throws Exception {
        String out = name + "-out";
        String dlq = name + "-dlq";
        createTopics(out, dlq);
        StreamExecutionEnvironment env = PipelineTest.env(fail);
        env.enableCheckpointing(200);
        KafkaJob.Settings c = KafkaJob.settings().bootstrapServers(broker.bootstrapServers()).inputTopic(in)
                .outputTopic(out).dlqTopic(dlq).groupId(name).startingOffsets(StartingOffsets.EARLIEST)
                .transactionalIdPrefix("test-" + name).bounded(true).delivery(delivery).build();
        DataStream<KeyedPayload> raw = env
                .fromSource(KafkaConnectors.eventSource(c.bootstrapServers(), in, name, StartingOffsets.EARLIEST,
                        new Properties(), true), WatermarkStrategy.noWatermarks(), "kafka-source")
                .uid("rnnstream-kafka-source")
                .map(new PipelineTest.FailOnce<KeyedPayload>(fail, 10), TypeInformation.of(KeyedPayload.class))
                .name("fail-once").uid("fail-once");
        KafkaJob.build(raw, c, Pipeline.builder().model(MODEL).modelId(TestModels.ID)
                .options(StreamOptions.defaults().idleTimeout(Duration.ofMinutes(5)).maxBufferedSteps(4)));
        env.execute(name);
        List<String> outputs = readCommitted(out, expectedRecords);
        List<String> deadLetters = readCommitted(dlq, 1);
        return List.of(outputs, deadLetters);
    }

    @Test
    void eventsInOutputsAndDeadLettersOutExactlyOnceThroughAFailure() throws Exception {
        createTopics("events");
        Map<String, float[][]> seqs = new HashMap<>();
        int produced = produce("events", seqs);
        int bad = PipelineTest.badEvents().size();

        List<List<String>> clean = run("events", "clean", false, produced - bad + 2);
        List<String> out = clean.get(0);
        List<String> dlq = clean.get(1);
        // Every event is one output or one dead letter; the s-0 sequence restarted by a bad-list
        // event never ends, so end of input adds its one final record.
        assertEquals(produced + 1, out.size() + dlq.size(), "outputs " + out.size() + ", dead letters " + dlq.size());
        assertEquals(bad - 1, dlq.size(), String.join("\n", dlq));

        Model m = MODEL.get();
        Set<String> keyStep = new HashSet<>();
        boolean sawRecordKey = false;
        for (String line : out) {
            JsonNode n = JSON.readTree(line);
            String key = n.get("key").asText();
            int step = n.get("step").asInt();
            assertTrue(keyStep.add(key + "#" + step + "#" + n.has("reason") + "#" + line.hashCode()), "duplicate " + line);
            if (key.equals("from-record-key")) {
                sawRecordKey = true;
                continue;
            }
            if (n.has("reason") || !seqs.containsKey(key)) {
                continue;
            }
            float[][] expected = Forward.sequences(m, seqs.get(key));
            JsonNode o = n.get("output");
            boolean matches = true;
            for (int i = 0; i < o.size(); i++) {
                matches &= Float.floatToRawIntBits(Float.parseFloat(o.get(i).asText()))
                        == Float.floatToRawIntBits(expected[step][i]);
            }
            // s-0 appears twice at step 0: once in its sequence, once restarted by a bad-list event.
            assertTrue(matches || (key.equals("s-0") && step == 0), key + " step " + step + ": " + line);
        }
        assertTrue(sawRecordKey, "an event without a key field takes its record key");

        PipelineTest.FailOnce.reset();
        List<List<String>> failed = run("events", "failed", true, out.size());
        assertTrue(PipelineTest.FailOnce.FAILED.get(), "the failure was never injected");
        assertEquals(out, failed.get(0), "a read_committed consumer sees the same outputs, none lost, none twice");
        assertEquals(dlq, failed.get(1));
    }

    /**
     * At-least-once: no transactions, outputs visible at once. A failure replays what followed the last
     * checkpoint, so some outputs come twice, but each (key, step) record is byte for byte the one a
     * failure-free exactly-once run writes: a consumer de-duplicates by (key, step) and loses nothing.
     */
    @Test
    void atLeastOnceThroughAFailureLosesNothingAndRepeatsOnlyIdenticalRecords() throws Exception {
        createTopics("events-alo");
        Map<String, float[][]> seqs = new HashMap<>();
        int produced = produce("events-alo", seqs);
        int bad = PipelineTest.badEvents().size();
        List<List<String>> clean = run("events-alo", "alo-clean", false, produced - bad + 2);
        PipelineTest.FailOnce.reset();
        List<List<String>> failed = run("events-alo", "alo-failed", true, clean.get(0).size(),
                DeliveryGuarantee.AT_LEAST_ONCE);
        assertTrue(PipelineTest.FailOnce.FAILED.get(), "the failure was never injected");
        for (int i = 0; i < 2; i++) {
            Set<String> expected = new HashSet<>(clean.get(i));
            Set<String> got = new HashSet<>(failed.get(i));
            assertEquals(expected, got, "the same records, none lost, repeats aside");
            // Every record it wrote is one a failure-free run writes: a repeat is byte for byte the same.
            assertTrue(failed.get(i).size() >= clean.get(i).size());
        }
    }

    /**
     * At-least-once, the outputs' batch leaves when the input topic has nothing more to read, not
     * {@code linger.ms} after its first output: with the sink's producer lingering a minute (and no checkpoint to
     * flush it), one sequence's outputs still reach a consumer within seconds of its events.
     */
    @Test
    void atLeastOnceOutputsLeaveWhenTheInputRunsDryNotAfterTheLinger() throws Exception {
        String in = "trickle";
        createTopics(in, in + "-out", in + "-dlq");
        StreamExecutionEnvironment env = PipelineTest.env(false);
        // One task from source to sink (no key shuffle at parallelism 1), and no checkpoint within the test,
        // whose flush would send the batch too.
        env.setParallelism(1);
        env.enableCheckpointing(Duration.ofMinutes(10).toMillis());
        Properties lingerAMinute = new Properties();
        lingerAMinute.put(ProducerConfig.LINGER_MS_CONFIG, "60000");
        KafkaJob.Settings c = KafkaJob.settings().bootstrapServers(broker.bootstrapServers()).inputTopic(in)
                .outputTopic(in + "-out").dlqTopic(in + "-dlq").groupId(in).startingOffsets(StartingOffsets.EARLIEST)
                .kafkaProperties(lingerAMinute).delivery(DeliveryGuarantee.AT_LEAST_ONCE).build();
        KafkaJob.build(env, c, Pipeline.builder().model(MODEL).modelId(TestModels.ID)
                .options(StreamOptions.defaults().idleTimeout(Duration.ofMinutes(5))));
        org.apache.flink.core.execution.JobClient job = env.executeAsync(in);
        try {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int step = 0; step < 3; step++) {
                    producer.send(new ProducerRecord<>(in, "k", "{\"key\":\"k\",\"step\":" + step
                            + ",\"features\":[0.5,0.25,-1]}"));
                }
                producer.flush();
            }
            long sent = System.nanoTime();
            // At-least-once records carry no transaction: read_committed sees them as they come.
            List<String> outputs = broker.readCommitted(in + "-out", 3, Duration.ZERO, Duration.ofSeconds(45));
            double seconds = (System.nanoTime() - sent) / 1e9;
            assertEquals(3, outputs.size(), "the three steps' outputs, sent when the input ran dry, not after the"
                    + " minute's linger; waited " + seconds + " s");
        } finally {
            job.cancel().get();
        }
    }

    /** Every record value on {@code topic} as a read_committed consumer sees it, reading on 1.5 s past {@code expected}. */
    static List<byte[]> readCommittedBytes(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<byte[]> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (var r : c.poll(Duration.ofMillis(100))) {
                    got.add(r.value());
                }
                if (got.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofMillis(1_500).toNanos();
                }
            }
        }
        return got;
    }

    /**
     * --format avro end to end on the real broker, exactly-once through a forced failure: Avro events in
     * (record keys standing in where the datum has none), Avro outputs out equal to the step kernel bit for
     * bit, each once; bad binary records become JSON dead letters whose raw_base64 is the record's bytes.
     */
    @Test
    void avroEventsInAvroOutputsOutAndBadBinaryRecordsAsDeadLettersThroughAFailure() throws Exception {
        String in = "events-avro";
        String out = "avro-out";
        String dlq = "avro-dlq";
        createTopics(in, out, dlq);
        Map<String, float[][]> seqs = new HashMap<>();
        List<String> good = PipelineTest.goodEvents(seqs);
        EventParser parser = new EventParser(0);
        byte[] truncated = AvroRecords.event(new Event("bad-1", 0, 0, new float[] {1, 2, 3}, false));
        truncated = java.util.Arrays.copyOf(truncated, truncated.length - 5);
        List<byte[]> bad = List.of(truncated,
                AvroRecords.event(new Event("bad-2", 0, 0, new float[] {1, 2}, false)),
                "{\"key\":\"bad-3\",\"features\":[1,2,3]}".getBytes(StandardCharsets.UTF_8),
                new byte[] {9, 9, 9},
                new byte[0]);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            for (String line : good) {
                Event e = parser.parse(line).event();
                producer.send(new ProducerRecord<>(in, e.key, AvroRecords.event(e)));
            }
            for (byte[] b : bad) {
                producer.send(new ProducerRecord<>(in, null, b));
            }
            producer.send(new ProducerRecord<>(in, "from-record-key",
                    AvroRecords.event(new Event(null, 0, Event.NO_TS, new float[] {0.5f, 0.25f, -1f}, true))));
            producer.flush();
        }

        PipelineTest.FailOnce.reset();
        StreamExecutionEnvironment env = PipelineTest.env(true);
        env.enableCheckpointing(200);
        KafkaJob.Settings c = KafkaJob.settings().bootstrapServers(broker.bootstrapServers()).inputTopic(in)
                .outputTopic(out).dlqTopic(dlq).groupId("avro").startingOffsets(StartingOffsets.EARLIEST)
                .transactionalIdPrefix("test-avro").bounded(true).format(WireFormat.AVRO).build();
        DataStream<KeyedPayload> raw = env
                .fromSource(KafkaConnectors.eventSource(c.bootstrapServers(), in, "avro", StartingOffsets.EARLIEST,
                        new Properties(), true, c.format()), WatermarkStrategy.noWatermarks(), "kafka-source")
                .uid("rnnstream-kafka-source")
                .map(new PipelineTest.FailOnce<KeyedPayload>(true, 10), TypeInformation.of(KeyedPayload.class))
                .name("fail-once").uid("fail-once");
        KafkaJob.build(raw, c, Pipeline.builder().model(MODEL).modelId(TestModels.ID)
                .options(StreamOptions.defaults().idleTimeout(Duration.ofMinutes(5)).maxBufferedSteps(4)));
        env.execute("avro");
        assertTrue(PipelineTest.FailOnce.FAILED.get(), "the failure was never injected");

        List<byte[]> outputs = readCommittedBytes(out, good.size() + 1);
        assertEquals(good.size() + 1, outputs.size(), "one output per good event, none lost, none twice");
        Model m = MODEL.get();
        Set<String> keyStep = new HashSet<>();
        boolean sawRecordKey = false;
        for (byte[] b : outputs) {
            OutputRecord o = AvroRecords.readOutput(b);
            assertTrue(keyStep.add(o.key + "#" + o.step), "duplicate " + o);
            assertEquals(TestModels.ID, o.model);
            if (o.key.equals("from-record-key")) {
                sawRecordKey = true;
                continue;
            }
            float[] expected = Forward.sequences(m, seqs.get(o.key))[o.step];
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(o.output[i]),
                        o.key + " step " + o.step + " output " + i);
            }
        }
        assertTrue(sawRecordKey, "an event without a key takes its record key");

        List<byte[]> dead = readCommittedBytes(dlq, bad.size());
        assertEquals(bad.size(), dead.size());
        Set<String> sent = new HashSet<>();
        bad.forEach(b -> sent.add(Base64.getEncoder().encodeToString(b)));
        Set<String> kept = new HashSet<>();
        for (byte[] d : dead) {
            JsonNode n = JSON.readTree(d);
            kept.add(n.get("raw_base64").asText());
            String why = n.get("error").asText();
            assertTrue(!why.isBlank() && !why.contains("\n"), why);
        }
        assertEquals(sent, kept, "each dead letter keeps its record's bytes");
    }
}
