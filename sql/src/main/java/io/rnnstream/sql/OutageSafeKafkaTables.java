package io.rnnstream.sql;

import io.rnnstream.connectors.kafka.OutageSafeKafkaSink;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaPartitioner;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicSink;
import org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory;
import org.apache.flink.streaming.connectors.kafka.table.SinkBufferFlushMode;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.types.DataType;

/**
 * The Kafka side of {@link OutageSafeKafkaTableFactory}: Flink's {@link KafkaDynamicTableFactory} whose
 * sinks are {@link OutageSafeKafkaSink}s. Kept apart from the factory that Flink discovers because it
 * extends and names the Kafka connector's classes: a cluster without that connector must still be
 * able to load every factory in the sql jar (Flink's file connector iterates them all and fails on one
 * that cannot load), so only this class needs the connector, and only once a table asks for it.
 */
final class OutageSafeKafkaTables extends KafkaDynamicTableFactory {
    /** Typed as Flink's factory interface, so that the caller's code names no Kafka class. */
    static DynamicTableSinkFactory create() {
        return new OutageSafeKafkaTables();
    }

    @Override
    public String factoryIdentifier() {
        return OutageSafeKafkaTableFactory.IDENTIFIER;
    }

    @Override
    protected KafkaDynamicSink createKafkaTableSink(DataType physicalDataType,
            EncodingFormat<SerializationSchema<RowData>> keyEncodingFormat,
            EncodingFormat<SerializationSchema<RowData>> valueEncodingFormat, int[] keyProjection,
            int[] valueProjection, String keyPrefix, List<String> topics, Pattern topicPattern, Properties properties,
            KafkaPartitioner<RowData> partitioner, DeliveryGuarantee deliveryGuarantee, Integer parallelism,
            String transactionalIdPrefix, TransactionNamingStrategy transactionNamingStrategy) {
        // As the Kafka factory builds its sink (no upsert mode, no buffer): only the runtime sink differs.
        return new OutageSafeSink(physicalDataType, physicalDataType, keyEncodingFormat, valueEncodingFormat, keyProjection,
                valueProjection, keyPrefix, topics, topicPattern, properties, partitioner, deliveryGuarantee, false,
                SinkBufferFlushMode.DISABLED, parallelism, transactionalIdPrefix, transactionNamingStrategy);
    }

    /** The Kafka table sink, with its {@link KafkaSink} wrapped in {@link OutageSafeKafkaSink}. */
    static final class OutageSafeSink extends KafkaDynamicSink {
        // The parent keeps these private; copy() needs them.
        private final DeliveryGuarantee deliveryGuarantee;
        private final String transactionalIdPrefix;
        private final TransactionNamingStrategy transactionNamingStrategy;

        OutageSafeSink(DataType consumedDataType, DataType physicalDataType,
                EncodingFormat<SerializationSchema<RowData>> keyEncodingFormat,
                EncodingFormat<SerializationSchema<RowData>> valueEncodingFormat, int[] keyProjection,
                int[] valueProjection, String keyPrefix, List<String> topics, Pattern topicPattern,
                Properties properties, KafkaPartitioner<RowData> partitioner, DeliveryGuarantee deliveryGuarantee,
                boolean upsertMode, SinkBufferFlushMode flushMode, Integer parallelism, String transactionalIdPrefix,
                TransactionNamingStrategy transactionNamingStrategy) {
            super(consumedDataType, physicalDataType, keyEncodingFormat, valueEncodingFormat, keyProjection,
                    valueProjection, keyPrefix, topics, topicPattern, properties, partitioner, deliveryGuarantee,
                    upsertMode, flushMode, parallelism, transactionalIdPrefix, transactionNamingStrategy);
            this.deliveryGuarantee = deliveryGuarantee;
            this.transactionalIdPrefix = transactionalIdPrefix;
            this.transactionNamingStrategy = transactionNamingStrategy;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            SinkRuntimeProvider provider = super.getSinkRuntimeProvider(context);
            if (provider instanceof SinkV2Provider v2) {
                org.apache.flink.api.connector.sink2.Sink<RowData> sink = v2.createSink();
                if (sink instanceof KafkaSink<?> kafka) {
                    return SinkV2Provider.of(new OutageSafeKafkaSink<>((KafkaSink<RowData>) kafka),
                            v2.getParallelism().orElse(null));
                }
            }
            return provider;
        }

        @Override
        public DynamicTableSink copy() {
            OutageSafeSink copy = new OutageSafeSink(consumedDataType, physicalDataType, keyEncodingFormat, valueEncodingFormat,
                    keyProjection, valueProjection, keyPrefix, topics, topicPattern, properties, partitioner,
                    deliveryGuarantee, upsertMode, flushMode, parallelism, transactionalIdPrefix,
                    transactionNamingStrategy);
            copy.metadataKeys = metadataKeys;
            return copy;
        }

        @Override
        public String asSummaryString() {
            return "Kafka table sink (rnnstream-kafka: outage-safe writer)";
        }
    }
}
