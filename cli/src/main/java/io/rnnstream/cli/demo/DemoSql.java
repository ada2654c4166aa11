package io.rnnstream.cli.demo;

import io.rnnstream.sql.OutageSafeKafkaTableFactory;
import java.nio.file.Path;

/**
 * The demo's job as SQL ({@code ./rnnstream demo --sql}): docs/examples/kafka.sql with the demo's
 * broker, topics, model and decision threshold filled in. The events topic read with the Kafka SQL
 * connector and JSON, {@code RNN_CLASSIFY}, outputs and dead letters written exactly once, keyed by the
 * sequence key as the DataStream job writes them (the scoreboard matches outputs to events by key).
 *
 * <p>Ordered by the events' {@code step}, without {@code on_time}: the demo's sequences end by their
 * {@code end} flag, so no idle timer is needed, and Flink's PTF runtime would silently drop rows that
 * arrive behind the watermark (docs/SQL.md), which the demo's interleaved replay may produce.
 */
public final class DemoSql {
    private final String bootstrapServers;
    private final Path model;
    private final double decideAtConfidence;
    private final int sequenceLength;
    private final String groupId;
    private final String transactionalIdPrefix;

    private DemoSql(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.model = b.model;
        this.decideAtConfidence = b.decideAtConfidence;
        this.sequenceLength = b.sequenceLength;
        this.groupId = b.groupId;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String bootstrapServers;
        private Path model;
        private double decideAtConfidence = Double.NaN;
        private int sequenceLength;
        private String groupId = "rnnstream-demo";
        private String transactionalIdPrefix = "rnnstream-demo-sql";

        public Builder bootstrapServers(String s) {
            this.bootstrapServers = s;
            return this;
        }

        public Builder model(Path p) {
            this.model = p;
            return this;
        }

        /** The early-decision threshold (a confidence in (0, 1]); NaN: no early decisions. */
        public Builder decideAtConfidence(double p) {
            this.decideAtConfidence = p;
            return this;
        }

        /** Steps per sequence (0: sequences end by their {@code end} flag only). */
        public Builder sequenceLength(int t) {
            this.sequenceLength = t;
            return this;
        }

        public Builder groupId(String id) {
            this.groupId = id;
            return this;
        }

        public Builder transactionalIdPrefix(String p) {
            this.transactionalIdPrefix = p;
            return this;
        }

        public DemoSql build() {
            if (bootstrapServers == null || model == null) {
                throw new IllegalArgumentException("the demo's SQL needs bootstrap servers and a model");
            }
            return new DemoSql(this);
        }
    }

    /** The script: statements separated by ';', for {@code io.rnnstream.sql.SqlScript#split}. */
    public String script() {
        String kafka = "'connector' = 'kafka', 'properties.bootstrap.servers' = '" + bootstrapServers + "'";
        // The sinks: Flink's Kafka connector with the DataStream job's outage-safe writer (docs/SQL.md).
        String kafkaSink = "'connector' = '" + OutageSafeKafkaTableFactory.IDENTIFIER
                + "', 'properties.bootstrap.servers' = '" + bootstrapServers + "'";
        // Exactly once: Kafka transactions committed at each checkpoint (the broker's default maximum
        // transaction timeout is 15 minutes, so the producers' may not exceed it).
        String exactlyOnce = ", 'sink.delivery-guarantee' = 'exactly-once', 'properties.transaction.timeout.ms' ="
                + " '900000'";
        StringBuilder s = new StringBuilder();
        s.append("CREATE TABLE events (`key` STRING, step INT, features ARRAY<FLOAT>, `end` BOOLEAN) WITH (")
                .append(kafka).append(", 'topic' = 'events', 'properties.group.id' = '").append(groupId)
                .append("', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json',"
                        + " 'json.ignore-parse-errors' = 'true');\n");
        // Keyed by the sequence key, as the DataStream job's records are: the scoreboard reads it.
        s.append("CREATE TABLE outputs (`key` STRING, step INT, output ARRAY<FLOAT>, label STRING, `final` BOOLEAN,"
                + " decision BOOLEAN, model STRING, reason STRING) WITH (").append(kafkaSink)
                .append(", 'topic' = 'outputs', 'key.format' = 'raw', 'key.fields' = 'key', 'value.format' = 'json'")
                .append(exactlyOnce).append(", 'sink.transactional-id-prefix' = '").append(transactionalIdPrefix)
                .append("-outputs');\n");
        s.append("CREATE TABLE dead_letters (`key` STRING, error STRING, `raw` STRING) WITH (").append(kafkaSink)
                .append(", 'topic' = 'dead-letters', 'format' = 'json'").append(exactlyOnce)
                .append(", 'sink.transactional-id-prefix' = '").append(transactionalIdPrefix)
                .append("-dead-letters');\n");
        s.append("CREATE TEMPORARY VIEW classified AS SELECT * FROM RNN_CLASSIFY(input => TABLE events PARTITION BY"
                + " `key`, model => '").append(model.toAbsolutePath().toString().replace("'", "''")).append("'");
        if (sequenceLength > 0) {
            s.append(", sequence_length => ").append(sequenceLength);
        }
        if (!Double.isNaN(decideAtConfidence)) {
            // A DOUBLE literal (with an exponent), written so that it parses back to the same double.
            String p = Double.toString(decideAtConfidence);
            s.append(", decide_at_confidence => ").append(p.contains("E") ? p : p + "E0");
        }
        s.append(", uid => 'rnn-classify');\n");
        s.append("EXECUTE STATEMENT SET BEGIN\n"
                + "INSERT INTO outputs SELECT `key`, step, output, label, `final`, decision, model, reason"
                + " FROM classified WHERE error IS NULL;\n"
                + "INSERT INTO dead_letters SELECT `key`, error, `raw` FROM classified WHERE error IS NOT NULL;\n"
                + "END;\n");
        return s.toString();
    }
}
