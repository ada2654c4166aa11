package io.rnnstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaConnectorsTest {
    @Test
    void sinksBatchUpTo128KiBUnlessTheUserSaysOtherwise() {
        Properties none = new Properties();
        none.setProperty("security.protocol", "PLAINTEXT");
        Properties p = KafkaConnectors.producerProperties(none);
        assertEquals("131072", p.getProperty(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals("PLAINTEXT", p.getProperty("security.protocol"));
        // The caller's properties are left as they were: the source reads the same object.
        assertEquals(null, none.getProperty(ProducerConfig.BATCH_SIZE_CONFIG));

        Properties own = new Properties();
        own.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, "16384");
        assertEquals("16384", KafkaConnectors.producerProperties(own).getProperty(ProducerConfig.BATCH_SIZE_CONFIG));
    }
}
