package io.rnnstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

    @Test
    void theBrokerJvmTakesKafkasOwnScriptVariables() {
        assertEquals(List.of("-Xms256m", "-Xmx512m", "-XX:+UseG1GC"), LocalKafkaBroker.jvmOptions(Map.of()));
        assertEquals(List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Dx=y"),
                LocalKafkaBroker.jvmOptions(Map.of("KAFKA_HEAP_OPTS", " -Xms1g  -Xmx1g ",
                        "KAFKA_JVM_PERFORMANCE_OPTS", "-XX:+UseG1GC -XX:MaxGCPauseMillis=20", "KAFKA_OPTS", "-Dx=y")));
        assertEquals(List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC"),
                LocalKafkaBroker.jvmOptions(Map.of("KAFKA_HEAP_OPTS", " ", "KAFKA_JVM_PERFORMANCE_OPTS", "-XX:+UseSerialGC")));
    }

    @Test
    void startsOnLoopbackCarriesRecordsAndStops(@TempDir Path dir) throws Exception {
        LocalKafkaBroker broker = LocalKafkaBroker.start(dir, 0, Duration.ofSeconds(60));
        try {
            assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"));
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "{\"key\":\"k\"}")).get();
            }
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("t"));
                ConsumerRecord<String, String> got = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (got == null && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        got = r;
                    }
                }
                assertEquals("{\"key\":\"k\"}", got == null ? null : got.value());
            }
        } finally {
            broker.close();
        }
        assertFalse(broker.isAlive(), "the broker process must be gone after close()");
    }
}
