package io.rnnstream.sql;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;

/**
 * {@code 'connector' = 'rnnstream-kafka'}: Flink's Kafka table connector ({@code 'kafka'}, every option
 * the same) whose sink is {@link io.rnnstream.connectors.kafka.OutageSafeKafkaSink}, the DataStream
 * job's sink. With {@code 'kafka'} a broker outage longer than the producer's timeouts stops the
 * TaskManager: the failed writer's {@code close()} cannot abort its transaction, and Flink takes an
 * exception thrown while it handles a failure as fatal (docs/RELIABILITY.md, "Broker outage"); with this
 * one the job restarts and carries on once the broker is back. Sources are the Kafka connector's own.
 * Writer state and committables are the connector's, so a table may switch between the two identifiers
 * across a savepoint.
 *
 * <p>This class names no Kafka class, so it loads where the Kafka connector is absent (every factory in
 * the jar must: docs/SQL.md); {@link OutageSafeKafkaTables} does the work once a table asks for it.
 */
public final class OutageSafeKafkaTableFactory implements DynamicTableSourceFactory, DynamicTableSinkFactory {
    public static final String IDENTIFIER = "rnnstream-kafka";

    private DynamicTableSinkFactory kafka;

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return kafka().requiredOptions();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return kafka().optionalOptions();
    }

    @Override
    public Set<ConfigOption<?>> forwardOptions() {
        return kafka().forwardOptions();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        return kafka().createDynamicTableSink(context);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        return ((DynamicTableSourceFactory) kafka()).createDynamicTableSource(context);
    }

    private DynamicTableSinkFactory kafka() {
        if (kafka == null) {
            try {
                kafka = OutageSafeKafkaTables.create();
            } catch (NoClassDefFoundError e) {
                throw new ValidationException("'connector' = '" + IDENTIFIER + "' needs Flink's Kafka SQL connector,"
                        + " as 'kafka' does: put flink-sql-connector-kafka-5.0.0-2.2.jar in the distribution's lib/"
                        + " (or ADD JAR it); missing: " + e.getMessage(), e);
            }
        }
        return kafka;
    }
}
