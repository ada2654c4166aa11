package io.rnnstream.connectors.kafka;

import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka source of events and the exactly-once Kafka sinks of outputs and dead letters, all
 * through flink-connector-kafka (the sinks wrapped in {@link OutageSafeKafkaSink}). Every
 * {@code --kafka-property k=v} reaches the clients unchanged, so SASL and SSL need no code.
 */
public final class KafkaConnectors {
    private KafkaConnectors() {}

    /** Where to start reading when the group has no committed offset. */
    public enum StartingOffsets {
        EARLIEST, LATEST, COMMITTED_OR_EARLIEST, COMMITTED_OR_LATEST;

        /** "earliest", "latest", "committed" (or earliest), "committed-or-latest". */
        public static StartingOffsets parse(String s) {
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "earliest":
                    return EARLIEST;
                case "latest":
                    return LATEST;
                case "committed":
                case "committed-or-earliest":
                    return COMMITTED_OR_EARLIEST;
                case "committed-or-latest":
                    return COMMITTED_OR_LATEST;
                default:
                    throw new IllegalArgumentException("--starting-offsets must be earliest, latest, committed or"
                            + " committed-or-latest, not '" + s + "'");
            }
        }
    }

    /** The events source: each record's value as text, with its key (used when the JSON has none). */
    public static KafkaSource<KeyedPayload> eventSource(String bootstrapServers, String topic, String groupId,
            StartingOffsets startingOffsets, Properties clientProperties) {
        return eventSource(bootstrapServers, topic, groupId, startingOffsets, clientProperties, false);
    }

    /**
     * @param bounded stop at the offsets that are the latest when the job starts (replays, tests),
     *     instead of reading forever
     */
    public static KafkaSource<KeyedPayload> eventSource(String bootstrapServers, String topic, String groupId,
            StartingOffsets startingOffsets, Properties clientProperties, boolean bounded) {
        return eventSource(bootstrapServers, topic, groupId, startingOffsets, clientProperties, bounded,
                WireFormat.JSON);
    }

    /** @param format JSON: each value as text; AVRO: each value's bytes as they are ({@link KeyedPayload#value}) */
    public static KafkaSource<KeyedPayload> eventSource(String bootstrapServers, String topic, String groupId,
            StartingOffsets startingOffsets, Properties clientProperties, boolean bounded, WireFormat format) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        // A consumer must never see a transaction that was aborted (a replayed upstream, say).
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var b = KafkaSource.<KeyedPayload>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(offsets(startingOffsets))
                .setDeserializer(new KeyedPayloadDeserializer(format == WireFormat.AVRO))
                .setProperties(p);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * An exactly-once sink: records become visible to {@code read_committed} consumers when the
     * checkpoint that covers them completes, so checkpointing must be on.
     *
     * @param transactionalIdPrefix unique per sink and per job; two jobs sharing one fence each other
     */
    public static OutageSafeKafkaSink<KeyedPayload> exactlyOnceSink(String bootstrapServers, String topic,
            String transactionalIdPrefix, Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        // Above the longest checkpoint we expect and at most the broker's transaction.max.timeout.ms.
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        return new OutageSafeKafkaSink<>(KafkaSink.<KeyedPayload>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new KeyedPayloadSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setKafkaProducerConfig(p)
                .build());
    }

    /** {@link #exactlyOnceSink} or {@link #atLeastOnceSink}, as {@code delivery} says. */
    public static OutageSafeKafkaSink<KeyedPayload> sink(String bootstrapServers, String topic, DeliveryGuarantee delivery,
            String transactionalIdPrefix, Properties clientProperties) {
        switch (delivery) {
            case EXACTLY_ONCE:
                return exactlyOnceSink(bootstrapServers, topic, transactionalIdPrefix, clientProperties);
            case AT_LEAST_ONCE:
                return atLeastOnceSink(bootstrapServers, topic, clientProperties);
            default:
                throw new IllegalArgumentException("delivery must be exactly-once or at-least-once, not " + delivery);
        }
    }

    /** An at-least-once sink, for deployments without checkpointing. */
    public static OutageSafeKafkaSink<KeyedPayload> atLeastOnceSink(String bootstrapServers, String topic,
            Properties clientProperties) {
        return new OutageSafeKafkaSink<>(KafkaSink.<KeyedPayload>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new KeyedPayloadSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setKafkaProducerConfig(clientProperties)
                .build());
    }

    /** Where a source starts, as flink-connector-kafka says it. */
    public static OffsetsInitializer offsets(StartingOffsets s) {
        switch (s) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED_OR_LATEST:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
            case COMMITTED_OR_EARLIEST:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /** Bytes to text without failing: an undecodable or empty value still reaches the dead letters. */
    static final class KeyedPayloadDeserializer implements KafkaRecordDeserializationSchema<KeyedPayload> {
        private static final long serialVersionUID = 1L;
        private final boolean binary;

        KeyedPayloadDeserializer(boolean binary) {
            this.binary = binary;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KeyedPayload> out) {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (binary) {
                out.collect(KeyedPayload.binary(key, record.value() == null ? new byte[0] : record.value()));
                return;
            }
            String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            out.collect(new KeyedPayload(key, value));
        }

        @Override
        public TypeInformation<KeyedPayload> getProducedType() {
            return TypeInformation.of(KeyedPayload.class);
        }
    }

    /**
     * The header on every output record that carries the time of the event it answers (epoch
     * milliseconds, decimal text): the event's {@code ts}, or its input record's timestamp when it has
     * none. A consumer reads end-to-end latency off it without reading the input topic.
     */
    public static final String EVENT_TIME_HEADER = "rnnstream.event.time";

    /** Keys each output record by its event key, so one key's outputs stay in order in one partition. */
    static final class KeyedPayloadSerializer implements KafkaRecordSerializationSchema<KeyedPayload> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        KeyedPayloadSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(KeyedPayload element, KafkaSinkContext context,
                Long timestamp) {
            byte[] key = element.key == null ? null : element.key.getBytes(StandardCharsets.UTF_8);
            // No timestamp: the producer stamps the time of writing, so a consumer can tell how long
            // an event took from its own record's timestamp to its output's.
            RecordHeaders headers = new RecordHeaders();
            if (timestamp != null) {
                headers.add(EVENT_TIME_HEADER, Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII));
            }
            return new ProducerRecord<>(topic, null, null, key, element.bytes(),
                    headers);
        }
    }
}
