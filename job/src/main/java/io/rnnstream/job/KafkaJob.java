package io.rnnstream.job;

import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.SourceIdle;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.connectors.kafka.ModelTopic;
import io.rnnstream.connectors.kafka.OutageSafeKafkaSink;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.job.swap.ModelUpdateSource;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production topology: events from a Kafka topic, outputs and dead letters to Kafka topics. The
 * same {@link Pipeline} as the file job; only the source and sinks differ.
 */
public final class KafkaJob {
    private KafkaJob() {}

    /** The interval the Kafka job checkpoints at unless told otherwise: it bounds committed output latency. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    public static Settings.Builder settings() {
        return new Settings.Builder();
    }

    /** Adds Kafka source → pipeline → Kafka sinks to {@code env}. Exactly-once needs checkpointing on. */
    public static Pipeline build(StreamExecutionEnvironment env, Settings s, Pipeline.Builder pipeline) {
        DataStream<KeyedPayload> raw = env
                // SourceIdle: the step's bundles, and at-least-once the outputs' batch, leave when the topic has
                // nothing more, not on a timer.
                .fromSource(SourceIdle.signalling(KafkaConnectors.eventSource(s.bootstrapServers, s.inputTopic,
                        s.groupId, s.startingOffsets, s.kafkaProperties, s.bounded, s.format)),
                        WatermarkStrategy.noWatermarks(), "kafka-source")
                .uid("rnnstream-kafka-source");
        return build(raw, s, pipeline);
    }

    /** The same from a record stream the caller made (tests insert a failure between source and parse). */
    public static Pipeline build(DataStream<KeyedPayload> raw, Settings s, Pipeline.Builder pipeline) {
        DataStream<ModelUpdate> updates = modelUpdates(raw.getExecutionEnvironment(), s);
        pipeline.records(raw).format(s.format)
                .outputSink(outputSink(KafkaConnectors.sink(s.bootstrapServers, s.outputTopic, s.delivery,
                        s.transactionalIdPrefix + "-out", s.kafkaProperties), s.delivery, s.lingerAlways))
                .deadLetterSink(KafkaConnectors.sink(s.bootstrapServers, s.dlqTopic, s.delivery,
                        s.transactionalIdPrefix + "-dlq", s.kafkaProperties));
        if (updates != null) {
            pipeline.modelUpdates(updates);
            if (s.statusTopic != null) {
                pipeline.modelStatusSink(KafkaConnectors.sink(s.bootstrapServers, s.statusTopic, s.delivery,
                        s.transactionalIdPrefix + "-status", s.kafkaProperties));
            }
        }
        return pipeline.build();
    }

    /**
     * The outputs' sink as the job runs it: at-least-once, unless told to linger always, it sends when the
     * source chained to it runs dry. Only the outputs' sink: the dead letters' is behind a network edge and
     * never hears the source. Public so the Kafka benchmark's stages leave the same way.
     */
    public static OutageSafeKafkaSink<KeyedPayload> outputSink(OutageSafeKafkaSink<KeyedPayload> sink,
            DeliveryGuarantee delivery, boolean lingerAlways) {
        return delivery == DeliveryGuarantee.AT_LEAST_ONCE && !lingerAlways ? sink.sendingWhenSourceIdle() : sink;
    }

    /** How long {@link #checkAccess} waits for a broker that does not answer before it lets the job start. */
    public static final Duration ACCESS_CHECK_TIMEOUT = Duration.ofSeconds(30);

    /**
     * With credentials in the client properties: fails now, with a line that says what to fix, when the
     * broker refuses them or the job's topics, instead of a job that restarts on it forever.
     *
     * @return a warning when the broker did not answer in time (the job then starts anyway, and waits for it,
     *     as through an outage), else null
     * @throws KafkaConnectors.KafkaAccessException when Kafka refuses the credentials or the topics
     */
    public static String checkAccess(Settings s) {
        if (!KafkaConnectors.hasCredentials(s.kafkaProperties)) {
            return null;
        }
        java.util.List<String> topics = new java.util.ArrayList<>(java.util.List.of(s.inputTopic, s.outputTopic,
                s.dlqTopic));
        if (s.modelTopic != null) {
            topics.add(s.modelTopic);
        }
        if (s.statusTopic != null) {
            topics.add(s.statusTopic);
        }
        // A sink's ids are <its prefix>-<subtask>-<checkpoint>: one id under the job's prefix tells whether the ACLs cover them.
        java.util.List<String> transactionalIds = s.delivery == DeliveryGuarantee.EXACTLY_ONCE
                ? java.util.List.of(s.transactionalIdPrefix + "-out-0-1") : java.util.List.of();
        if (KafkaConnectors.checkAccess(s.bootstrapServers, s.kafkaProperties, ACCESS_CHECK_TIMEOUT, topics, s.groupId,
                transactionalIds)) {
            return null;
        }
        // A client speaking PLAINTEXT to a SASL listener (or the reverse) sees only dropped connections,
        // as from a broker that is down: the job cannot tell them apart, the user can.
        return "WARNING: Kafka at " + s.bootstrapServers + " did not answer the job's clients within "
                + ACCESS_CHECK_TIMEOUT.toSeconds() + " s; starting anyway (the job waits for the broker). If the broker"
                + " is up, check security.protocol and sasl.mechanism in the Kafka client properties";
    }

    /** The model topic as a broadcastable stream, or null when the job has none. */
    static DataStream<ModelUpdate> modelUpdates(StreamExecutionEnvironment env, Settings s) {
        if (s.modelTopic == null) {
            return null;
        }
        // One partition and one reader: every step instance must see the updates in the same order
        // (the history is ordered by arrival), which one source subtask broadcasting one partition guarantees.
        ModelTopic.requireSinglePartition(s.bootstrapServers, s.modelTopic, s.kafkaProperties);
        return env.fromSource(ModelUpdateSource.kafka(s.bootstrapServers, s.modelTopic, s.groupId, s.startingOffsets,
                        s.kafkaProperties, s.bounded), WatermarkStrategy.noWatermarks(), "kafka-model-source")
                .setParallelism(1)
                .uid("rnnstream-model-source");
    }

    /** Where the job reads and writes, and how it delivers. */
    public static final class Settings {
        final String bootstrapServers;
        final String inputTopic;
        final String outputTopic;
        final String dlqTopic;
        final String groupId;
        final StartingOffsets startingOffsets;
        final Properties kafkaProperties;
        final String transactionalIdPrefix;
        final boolean bounded;
        final String modelTopic;
        final String statusTopic;
        final DeliveryGuarantee delivery;
        final WireFormat format;
        final boolean lingerAlways;

        private Settings(Builder b) {
            bootstrapServers = b.bootstrapServers;
            inputTopic = b.inputTopic;
            outputTopic = b.outputTopic;
            dlqTopic = b.dlqTopic;
            groupId = b.groupId;
            startingOffsets = b.startingOffsets;
            kafkaProperties = b.kafkaProperties;
            transactionalIdPrefix = b.transactionalIdPrefix != null ? b.transactionalIdPrefix : "rnnstream-" + groupId;
            bounded = b.bounded;
            modelTopic = b.modelTopic;
            statusTopic = b.statusTopic;
            delivery = b.delivery;
            format = b.format;
            lingerAlways = b.lingerAlways;
        }

        public WireFormat format() {
            return format;
        }

        public String inputTopic() {
            return inputTopic;
        }

        public String outputTopic() {
            return outputTopic;
        }

        public String dlqTopic() {
            return dlqTopic;
        }

        public String bootstrapServers() {
            return bootstrapServers;
        }

        public Properties kafkaProperties() {
            return kafkaProperties;
        }

        public String groupId() {
            return groupId;
        }

        public boolean bounded() {
            return bounded;
        }

        public DeliveryGuarantee delivery() {
            return delivery;
        }

        /** Named settings; {@link #build()} checks them together. */
        public static final class Builder {
            private String bootstrapServers;
            private String inputTopic;
            private String outputTopic;
            private String dlqTopic;
            private String groupId = "rnnstream";
            private StartingOffsets startingOffsets = StartingOffsets.COMMITTED_OR_EARLIEST;
            private Properties kafkaProperties = new Properties();
            private String transactionalIdPrefix;
            private boolean bounded;
            private String modelTopic;
            private String statusTopic;
            private DeliveryGuarantee delivery = DeliveryGuarantee.EXACTLY_ONCE;
            private WireFormat format = WireFormat.JSON;
            private boolean lingerAlways;

            private Builder() {}

            /**
             * At-least-once: whether the output sink always waits {@code linger.ms} for more outputs before it
             * sends a batch (default false: it also sends as soon as the input topic has nothing more to read,
             * {@link OutageSafeKafkaSink#sendingWhenSourceIdle}). Exactly-once sinks always wait; their outputs
             * are visible at the checkpoint.
             */
            public Builder lingerAlways(boolean v) {
                lingerAlways = v;
                return this;
            }

            /** Events in and outputs out as JSON (default) or Avro binary (docs/KAFKA.md); dead letters stay JSON. */
            public Builder format(WireFormat v) {
                format = v;
                return this;
            }

            public Builder bootstrapServers(String v) {
                bootstrapServers = blankToNull(v);
                return this;
            }

            public Builder inputTopic(String v) {
                inputTopic = blankToNull(v);
                return this;
            }

            public Builder outputTopic(String v) {
                outputTopic = blankToNull(v);
                return this;
            }

            public Builder dlqTopic(String v) {
                dlqTopic = blankToNull(v);
                return this;
            }

            /** The job's consumer group (default rnnstream); also names its transactions. */
            public Builder groupId(String v) {
                groupId = v == null || v.isBlank() ? "rnnstream" : v;
                return this;
            }

            public Builder startingOffsets(StartingOffsets v) {
                startingOffsets = v;
                return this;
            }

            /** Any Kafka client properties (SASL, SSL, client tuning), for the source and the sinks. */
            public Builder kafkaProperties(Properties v) {
                kafkaProperties = v;
                return this;
            }

            /** Unique per job on a cluster: two jobs sharing one fence each other (default rnnstream-GROUP). */
            public Builder transactionalIdPrefix(String v) {
                transactionalIdPrefix = blankToNull(v);
                return this;
            }

            /** Stop at the end of what the input topic holds when the job starts. */
            public Builder bounded(boolean v) {
                bounded = v;
                return this;
            }

            /** Model updates (hot swap; docs/MODEL_LIFECYCLE.md); none by default. */
            public Builder modelTopic(String v) {
                modelTopic = blankToNull(v);
                return this;
            }

            /** What became of each model update; without it only the log says. */
            public Builder statusTopic(String v) {
                statusTopic = blankToNull(v);
                return this;
            }

            /**
             * Exactly-once (default): outputs become visible to {@code read_committed} consumers when the
             * checkpoint covering them completes. At-least-once: visible at once; after a failure some are
             * written again, byte-identical, under the same (key, step) (docs/KAFKA.md).
             */
            public Builder delivery(DeliveryGuarantee v) {
                delivery = v;
                return this;
            }

            public Settings build() {
                require(bootstrapServers, "--bootstrap-servers");
                require(inputTopic, "--input-topic");
                require(outputTopic, "--output-topic");
                require(dlqTopic, "--dlq-topic");
                if (statusTopic != null && modelTopic == null) {
                    throw new IllegalArgumentException("--status-topic reports on model updates: give --model-topic too");
                }
                if (delivery != DeliveryGuarantee.EXACTLY_ONCE && delivery != DeliveryGuarantee.AT_LEAST_ONCE) {
                    throw new IllegalArgumentException("--delivery must be exactly-once or at-least-once, not " + delivery);
                }
                if (startingOffsets == null || kafkaProperties == null || format == null) {
                    throw new IllegalArgumentException("startingOffsets, kafkaProperties and format must not be null");
                }
                return new Settings(this);
            }

            private static String blankToNull(String v) {
                return v == null || v.isBlank() ? null : v;
            }

            private static void require(String v, String option) {
                if (v == null) {
                    throw new IllegalArgumentException("missing " + option);
                }
            }
        }
    }
}
