package relocated.org.apache.kafka.common;

/**
 * Kafka's exception as a relocating jar names it (flink-sql-connector-kafka: under
 * {@code org.apache.flink.kafka.shaded.}), for OutageSafeKafkaSinkTest.
 */
public class KafkaException extends RuntimeException {
    public KafkaException(String message) {
        super(message);
    }
}
