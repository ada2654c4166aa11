package io.rnnstream.job;

import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.connectors.kafka.ModelTopic;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production topology: events from a Kafka topic, outputs and dead letters to Kafka topics
 * through exactly-once transactional sinks. The same pipeline as the file job; only the sources
 * and sinks differ.
 */
public final class KafkaJob {
    private KafkaJob() {}

    /**
     * Where the job reads and writes.
     *
     * @param modelTopic model updates (hot swap; docs/MODEL_LIFECYCLE.md), or null for none
     * @param statusTopic what became of each model update, or null (then only the log says)
     */
    public record Config(String bootstrapServers, String inputTopic, String outputTopic, String dlqTopic,
            String groupId, StartingOffsets startingOffsets, Properties kafkaProperties,
            String transactionalIdPrefix, boolean bounded, String modelTopic, String statusTopic) {
        /** Without model updates. */
        public Config(String bootstrapServers, String inputTopic, String outputTopic, String dlqTopic,
                String groupId, StartingOffsets startingOffsets, Properties kafkaProperties,
                String transactionalIdPrefix, boolean bounded) {
            this(bootstrapServers, inputTopic, outputTopic, dlqTopic, groupId, startingOffsets, kafkaProperties,
                    transactionalIdPrefix, bounded, null, null);
        }

        public Config {
            require(bootstrapServers, "--bootstrap-servers");
            require(inputTopic, "--input-topic");
            require(outputTopic, "--output-topic");
            require(dlqTopic, "--dlq-topic");
            groupId = groupId == null || groupId.isBlank() ? "rnnstream" : groupId;
            startingOffsets = startingOffsets == null ? StartingOffsets.COMMITTED_OR_EARLIEST : startingOffsets;
            kafkaProperties = kafkaProperties == null ? new Properties() : kafkaProperties;
            transactionalIdPrefix = transactionalIdPrefix == null || transactionalIdPrefix.isBlank()
                    ? "rnnstream-" + groupId : transactionalIdPrefix;
            modelTopic = modelTopic == null || modelTopic.isBlank() ? null : modelTopic;
            statusTopic = statusTopic == null || statusTopic.isBlank() ? null : statusTopic;
            if (statusTopic != null && modelTopic == null) {
                throw new IllegalArgumentException("--status-topic reports on model updates: give --model-topic too");
            }
        }

        /** The same with model updates from {@code modelTopic} and their status to {@code statusTopic}. */
        public Config withModelTopics(String modelTopic, String statusTopic) {
            return new Config(bootstrapServers, inputTopic, outputTopic, dlqTopic, groupId, startingOffsets,
                    kafkaProperties, transactionalIdPrefix, bounded, modelTopic, statusTopic);
        }

        private static void require(String v, String option) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("missing " + option);
            }
        }
    }

    /** Adds source → … → sinks to {@code env}. Checkpointing must be on: it commits the outputs. */
    public static StreamingPipeline.Built build(StreamExecutionEnvironment env, Config c, ModelProvider model,
            String modelId, StreamOptions opts) {
        DataStream<KeyedPayload> raw = env
                .fromSource(KafkaConnectors.eventSource(c.bootstrapServers(), c.inputTopic(), c.groupId(),
                        c.startingOffsets(), c.kafkaProperties(), c.bounded()),
                        WatermarkStrategy.noWatermarks(), "kafka-source")
                .uid("rnnstream-kafka-source");
        return build(raw, modelUpdates(env, c), c, model, modelId, opts);
    }

    /** The model topic as a broadcastable stream, or null when the job has none. */
    public static DataStream<ModelUpdate> modelUpdates(StreamExecutionEnvironment env, Config c) {
        if (c.modelTopic() == null) {
            return null;
        }
        // One partition and one reader: every step instance must see the updates in the same order
        // (the history is ordered by arrival), which one source subtask broadcasting one partition guarantees.
        ModelTopic.requireSinglePartition(c.bootstrapServers(), c.modelTopic(), c.kafkaProperties());
        return env.fromSource(ModelUpdateSource.kafka(c.bootstrapServers(), c.modelTopic(), c.groupId(),
                        c.startingOffsets(), c.kafkaProperties(), c.bounded()),
                        WatermarkStrategy.noWatermarks(), "kafka-model-source")
                .setParallelism(1)
                .uid("rnnstream-model-source");
    }

    /** The same, from a raw stream the caller made (tests insert a failure between source and parse). */
    public static StreamingPipeline.Built build(DataStream<KeyedPayload> raw, Config c, ModelProvider model,
            String modelId, StreamOptions opts) {
        return build(raw, modelUpdates(raw.getExecutionEnvironment(), c), c, model, modelId, opts);
    }

    /** The same, with model updates from a stream the caller made (null: none). */
    public static StreamingPipeline.Built build(DataStream<KeyedPayload> raw, DataStream<ModelUpdate> updates,
            Config c, ModelProvider model, String modelId, StreamOptions opts) {
        Sink<KeyedPayload> outputs = KafkaConnectors.exactlyOnceSink(c.bootstrapServers(), c.outputTopic(),
                c.transactionalIdPrefix() + "-out", c.kafkaProperties());
        Sink<KeyedPayload> deadLetters = KafkaConnectors.exactlyOnceSink(c.bootstrapServers(), c.dlqTopic(),
                c.transactionalIdPrefix() + "-dlq", c.kafkaProperties());
        Sink<KeyedPayload> status = updates == null || c.statusTopic() == null ? null
                : KafkaConnectors.exactlyOnceSink(c.bootstrapServers(), c.statusTopic(),
                        c.transactionalIdPrefix() + "-status", c.kafkaProperties());
        return StreamingPipeline.buildKeyed(raw, updates, outputs, deadLetters, status, model, modelId, opts);
    }

    /** The interval the Kafka job checkpoints at unless told otherwise: it bounds output latency. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
}
