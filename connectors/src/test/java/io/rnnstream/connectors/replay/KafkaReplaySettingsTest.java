package io.rnnstream.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaReplaySettingsTest {
    @Test
    void pacedEventsDoNotWaitForCompanyUnpacedOnesFillBatches() {
        Properties paced = KafkaReplay.producerSettings(new Properties(), "127.0.0.1:9092", 4_000);
        assertEquals(KafkaReplay.PACED_LINGER_MS, paced.getProperty(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("1", paced.getProperty(ProducerConfig.LINGER_MS_CONFIG));
        Properties unpaced = KafkaReplay.producerSettings(new Properties(), "127.0.0.1:9092", 0);
        assertEquals("5", unpaced.getProperty(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("131072", unpaced.getProperty(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals("all", unpaced.getProperty(ProducerConfig.ACKS_CONFIG));
    }

    @Test
    void theCallersSettingsWin() {
        Properties mine = new Properties();
        mine.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        mine.setProperty(ProducerConfig.ACKS_CONFIG, "1");
        mine.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "elsewhere:9092");
        Properties p = KafkaReplay.producerSettings(mine, "127.0.0.1:9092", 10_000);
        assertEquals("5", p.getProperty(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("1", p.getProperty(ProducerConfig.ACKS_CONFIG));
        assertEquals("127.0.0.1:9092", p.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }
}
