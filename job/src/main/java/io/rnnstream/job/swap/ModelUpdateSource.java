package io.rnnstream.job.swap;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The model topic as a source of {@link ModelUpdate}s: each record's value is the payload, its
 * {@value ModelUpdate#EFFECTIVE_TS_HEADER} header (if any) the effective time. Nothing is decoded
 * here: a bad record becomes a refusal on the status output, not a failed source.
 */
public final class ModelUpdateSource {
    private ModelUpdateSource() {}

    public static KafkaSource<ModelUpdate> kafka(String bootstrapServers, String topic, String groupId,
            StartingOffsets startingOffsets, Properties clientProperties, boolean bounded) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A model file is larger than an event; let one fetch carry one.
        p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 << 20));
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20));
        var b = KafkaSource.<ModelUpdate>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(KafkaConnectors.offsets(startingOffsets))
                .setDeserializer(new Deserializer())
                .setProperties(p);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    static final class Deserializer implements KafkaRecordDeserializationSchema<ModelUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdate> out) {
            long eff = Event.NO_TS;
            String bad = null;
            Header h = record.headers().lastHeader(ModelUpdate.EFFECTIVE_TS_HEADER);
            if (h != null && h.value() != null) {
                String v = new String(h.value(), StandardCharsets.UTF_8).trim();
                try {
                    eff = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    bad = v;
                }
            }
            String origin = record.topic() + "-" + record.partition() + "@" + record.offset();
            byte[] payload = record.value();
            if (bad != null) {
                // Refused where updates are decided, with the reason: an unreadable header is not "now".
                payload = ("{\"error\":\"header " + ModelUpdate.EFFECTIVE_TS_HEADER + " is '" + bad.replace("\"", "'")
                        + "', not epoch milliseconds\"}").getBytes(StandardCharsets.UTF_8);
            }
            out.collect(new ModelUpdate(payload, eff, origin));
        }

        @Override
        public TypeInformation<ModelUpdate> getProducedType() {
            return TypeInformation.of(ModelUpdate.class);
        }
    }
}
