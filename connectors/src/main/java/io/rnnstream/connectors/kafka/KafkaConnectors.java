package io.rnnstream.connectors.kafka;

import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.connectors.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka source of events and the exactly-once Kafka sinks of outputs and dead letters, all
 * through flink-connector-kafka (the sinks wrapped in {@link OutageSafeKafkaSink}). Every
 * {@code --kafka-property k=v} reaches the clients unchanged, so SASL and SSL need no code.
 */
public final class KafkaConnectors {
    private KafkaConnectors() {}

    /**
     * The sinks' producer {@code batch.size} unless the user sets one: 128 KiB instead of Kafka's 16 KiB. A
     * batch leaves when it is full or when {@code linger.ms} is up, so at low rates this changes nothing
     * (linger closes the batch first, latency is the same), while near the job's limit 16 KiB (about 75 JSON
     * outputs) filled in a millisecond and every request carried few records: bigger batches cost the job,
     * the broker and every consumer less CPU per record (docs/BENCHMARKS.md, "Session 17").
     */
    public static final int PRODUCER_BATCH_BYTES = 128 * 1024;

    /** {@code clientProperties} with the sinks' defaults under them (the user's settings win). */
    static Properties producerProperties(Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(PRODUCER_BATCH_BYTES));
        return p;
    }

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
        Properties p = producerProperties(clientProperties);
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
                .setKafkaProducerConfig(producerProperties(clientProperties))
                .build());
    }

    /**
     * Whether {@code clientProperties} carry credentials (SASL, SSL): only then does {@link #checkAccess} have
     * anything to find out before the job starts.
     */
    public static boolean hasCredentials(Properties clientProperties) {
        String protocol = clientProperties.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        return !protocol.trim().equalsIgnoreCase("PLAINTEXT")
                || clientProperties.stringPropertyNames().stream().anyMatch(k -> k.startsWith("sasl."));
    }

    /**
     * Connects as the job's clients will and asks the broker about each of the job's topics, its group and
     * its transactional ids, so that refused credentials or missing ACLs stop the job before it starts: a
     * running job would instead restart on them forever, as it does on a broker outage. A broker that does
     * not answer within {@code timeout} is not an error here (the job waits for it, as it does for a broker
     * that goes away), nor is a topic, group or transaction that does not exist yet.
     *
     * @param transactionalIds one id under each of the sinks' prefixes (exactly-once), or none
     * @return false when the broker did not answer in time (down, or spoken to in the wrong protocol)
     * @throws KafkaAccessException naming what to fix; its message never holds the properties' values
     */
    public static boolean checkAccess(String bootstrapServers, Properties clientProperties, Duration timeout,
            List<String> topics, String groupId, List<String> transactionalIds) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000));
        String user = user(clientProperties);
        String who = user.isEmpty() ? "the job" : "user " + user;
        String acls = ": the job needs ACLs to read its input topic in its group, write its output topics and use"
                + " its transactional id prefix (docs/RELIABILITY.md, \"Security\")";
        try (Admin admin = Admin.create(p)) {
            List<Map.Entry<String, java.util.function.Supplier<KafkaFuture<?>>>> probes = new java.util.ArrayList<>();
            for (String topic : topics) {
                probes.add(Map.entry("describe topic " + topic,
                        () -> admin.describeTopics(List.of(topic)).allTopicNames()));
            }
            if (groupId != null) {
                probes.add(Map.entry("use consumer group " + groupId,
                        () -> admin.listConsumerGroupOffsets(groupId).all()));
            }
            for (String id : transactionalIds) {
                probes.add(Map.entry("use transactional id " + id,
                        () -> admin.describeTransactions(List.of(id)).all()));
            }
            for (Map.Entry<String, java.util.function.Supplier<KafkaFuture<?>>> probe : probes) {
                try {
                    probe.getValue().get().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof AuthenticationException) {
                        // Kafka's message names the mechanism and says "invalid credentials", never the password.
                        throw new KafkaAccessException("Kafka at " + bootstrapServers + " refused the credentials"
                                + (user.isEmpty() ? "" : " of user " + user) + " (" + stripPeriod(cause.getMessage())
                                + "): check " + (cause instanceof SslAuthenticationException
                                        ? "the ssl.* settings (truststore, keystore)"
                                        : "the user name and password (sasl.jaas.config)")
                                + " in --kafka-properties-file", cause);
                    }
                    if (cause instanceof AuthorizationException) {
                        throw new KafkaAccessException("Kafka at " + bootstrapServers + " does not allow " + who
                                + " to " + probe.getKey() + acls, cause);
                    }
                    if (!(cause instanceof UnknownTopicOrPartitionException || cause instanceof RetriableException
                            || cause instanceof TransactionalIdNotFoundException
                            || cause instanceof GroupIdNotFoundException)) {
                        throw new KafkaAccessException("Kafka at " + bootstrapServers + " refused to let " + who + " "
                                + probe.getKey() + ": " + cause.getMessage(), cause);
                    }
                } catch (java.util.concurrent.TimeoutException notAnswering) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        } catch (KafkaException e) {
            // The client refused its own settings (an unknown mechanism, a malformed JAAS line) before
            // connecting; its messages name the key, not the value.
            throw new KafkaAccessException("the Kafka client settings are not usable: " + e.getMessage()
                    + (e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage()
                            + ")" : ""), e);
        }
    }

    private static String stripPeriod(String s) {
        return s == null ? "" : s.strip().replaceAll("\\.$", "");
    }

    /** The user name in a SASL JAAS line, or "" (a user name is no secret, and says whose credentials failed). (a user name is no secret, and says which credentials were refused). */
    private static String user(Properties p) {
        String jaas = p.getProperty(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas == null) {
            return "";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("username\\s*=\\s*\"([^\"]*)\"").matcher(jaas);
        return m.find() ? m.group(1) : "";
    }

    /** Kafka refused the job's credentials or its access; the message says what to fix. */
    public static final class KafkaAccessException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaAccessException(String message, Throwable cause) {
            // Not Kafka's exception as the cause: a stack trace (--debug) should show no client internals,
            // and its message is in ours already.
            super(message);
            setStackTrace(cause.getStackTrace());
        }
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
            // JSON too stays bytes: the parse stage reads the common shape off them, and makes text only of a
            // value it must hand to Jackson or refuse (EventParser.parse(byte[], String)).
            out.collect(KeyedPayload.binary(key, record.value() == null ? new byte[0] : record.value()));
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
