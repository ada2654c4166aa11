package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.Event;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's own checks, and one real send through a broker that the job's decoder reads back. */
class PublishModelCommandTest {
    @TempDir
    Path dir;

    @Test
    void effectiveTimeIsEpochMillisOrAnInstant() {
        assertEquals(Event.NO_TS, PublishModelCommand.parseEffectiveTs(null));
        assertEquals(1700000000000L, PublishModelCommand.parseEffectiveTs("1700000000000"));
        assertEquals(1700000000000L, PublishModelCommand.parseEffectiveTs("2023-11-14T22:13:20Z"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PublishModelCommand.parseEffectiveTs("tomorrow"));
        assertTrue(e.getMessage().contains("ISO-8601"), e.getMessage());
    }

    @Test
    void aMissingModelIsOneLineAndNothingIsSent() {
        RnnstreamTest.Run r = RnnstreamTest.run("publish-model", dir.resolve("nope.rnns").toString(),
                "--bootstrap-servers", "127.0.0.1:1", "--topic", "models");
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().startsWith("error: model file not found"), r.err());
        RnnstreamTest.Run usage = RnnstreamTest.run("publish-model", "m.rnns", "--topic", "models");
        assertEquals(2, usage.rc());
        assertTrue(usage.err().contains("--bootstrap-servers"), usage.err());
    }

    @Test
    void publishesTheModelFileToARealBroker() throws Exception {
        io.rnnstream.model.Model m = RnnstreamTest.mnistModel();
        Path file = dir.resolve("m.rnns");
        io.rnnstream.model.ModelFile.write(m, file);
        try (io.rnnstream.connectors.kafka.LocalKafkaBroker broker = io.rnnstream.connectors.kafka.LocalKafkaBroker
                .start(dir.resolve("kafka"), 0, java.time.Duration.ofSeconds(60))) {
            RnnstreamTest.Run r = RnnstreamTest.run("publish-model", file.toString(), "--bootstrap-servers",
                    broker.bootstrapServers(), "--topic", "models", "--effective-ts", "1700000000000");
            assertEquals(0, r.rc(), r.err());
            java.util.Properties p = new java.util.Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            p.put("group.id", "check");
            p.put("auto.offset.reset", "earliest");
            try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c =
                    new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                c.subscribe(java.util.List.of("models"));
                org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> got = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (got == null && System.currentTimeMillis() < deadline) {
                    for (var rec : c.poll(java.time.Duration.ofMillis(300))) {
                        got = rec;
                    }
                }
                assertTrue(got != null, "the update reached the topic");
                io.rnnstream.model.Model back = io.rnnstream.model.ModelFile.decode(got.value(), "topic");
                assertEquals(m.id(), back.id());
                assertEquals("1700000000000", new String(got.headers()
                        .lastHeader(io.rnnstream.job.swap.ModelUpdate.EFFECTIVE_TS_HEADER).value(),
                        java.nio.charset.StandardCharsets.UTF_8));
                assertEquals(1, c.partitionsFor("models").size(), "publish-model creates the topic with one partition");
            }
            // A model topic with two partitions could replay its updates in another order: refused.
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    java.util.Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic("models-2", 2,
                        (short) 1))).all().get();
            }
            RnnstreamTest.Run two = RnnstreamTest.run("publish-model", file.toString(), "--bootstrap-servers",
                    broker.bootstrapServers(), "--topic", "models-2");
            assertEquals(1, two.rc(), two.err());
            assertTrue(two.err().contains("has 2 partitions; it needs exactly one"), two.err());
        }
    }
}
