package io.rnnstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class OutageSafeKafkaSinkTest {
    /** A subclass, as the clients' TimeoutException is one, of the relocated KafkaException. */
    static final class RelocatedTimeout extends relocated.org.apache.kafka.common.KafkaException {
        RelocatedTimeout() {
            super("Timeout expired after 5000ms while awaiting EndTxn(false)");
        }
    }

    @Test
    void aKafkaClientExceptionIsFoundAmongTheCauses() {
        TimeoutException plain = new TimeoutException("Timeout expired while awaiting EndTxn(false)");
        assertSame(plain, OutageSafeKafkaSink.Writer.kafkaCause(new IOException("abort failed", plain)));
    }

    @Test
    void soIsOneOfRelocatedClients() {
        // 'rnnstream-kafka' on a cluster runs on flink-sql-connector-kafka, whose Kafka classes are relocated.
        RelocatedTimeout shaded = new RelocatedTimeout();
        assertSame(shaded, OutageSafeKafkaSink.Writer.kafkaCause(new RuntimeException("close failed", shaded)));
    }

    @Test
    void otherFailuresAreNotTheBrokers() {
        assertNull(OutageSafeKafkaSink.Writer.kafkaCause(new IllegalStateException("a bug", new IOException("disk"))));
    }
}
