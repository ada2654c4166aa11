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
import org.apache.flink.table.types.DataType;

/**
 * {@code 'connector' = 'rnnstream-kafka'}: Flink's Kafka table connector ({@code 'kafka'}, every option
 * the same) whose sink is {@link OutageSafeKafkaSink}, the DataStream job's sink. With {@code 'kafka'} a
 * broker outage longer than the producer's timeouts stops the TaskManager: the failed writer's
 * {@code close()} cannot abort its transaction, and Flink takes an exception thrown while it handles a
 * failure as fatal (docs/RELIABILITY.md, "Broker outage"); with this one the job restarts and carries on
 * once the broker is back. Sources are the Kafka connector's own. Writer state and committables are the
 * connector's, so a table may switch between the two identifiers across a savepoint.
 *
 * <p>The Kafka connector must be on the class path (the cluster's flink-sql-connector-kafka jar, or the
 * CLI's); without it Flink skips this factory when it discovers factories.
 */
public class OutageSafeKafkaTableFactory extends KafkaDynamicTableFactory {
    public static final String IDENTIFIER = "rnnstream-kafka";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
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
