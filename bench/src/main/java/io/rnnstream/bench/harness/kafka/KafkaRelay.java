package io.rnnstream.bench.harness.kafka;

import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients without Flink: one thread, one consumer and one producer, each event record read and one
 * record written for it, with the client settings the job's source and sink use and the job's event-time
 * header. {@link KafkaBenchStage#RELAY} copies the event's bytes; {@link KafkaBenchStage#RELAY_SERDE} also
 * does the job's serde work per event in the run's format (JSON: the job's parser reads the event and
 * {@link RecordJson} writes an output-shaped record, as the passthrough's; Avro: {@link AvroRecords}). It runs on a thread of the harness's JVM, where the job
 * stages run, so its CPU per event is measured as theirs: what any JVM costs per event to read and write
 * these records with these clients, the part of the job's cost that no change to the job can remove.
 */
final class KafkaRelay implements AutoCloseable {
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;

    private KafkaRelay(String bootstrapServers, String from, String to, Properties clientProperties, WireFormat serde,
            int featureCount, String modelId, float[] output) {
        thread = new Thread(() -> {
            try {
                relay(bootstrapServers, from, to, clientProperties, serde, featureCount, modelId, output);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "kafka-relay");
        thread.setDaemon(true);
    }

    /**
     * @param serde read each event and write an output-shaped record in this format; null: copy the bytes
     * @param output the fixed output every record carries when {@code serde} is set
     */
    static KafkaRelay start(String bootstrapServers, String from, String to, Properties clientProperties,
            WireFormat serde, int featureCount, String modelId, float[] output) {
        KafkaRelay r = new KafkaRelay(bootstrapServers, from, to, clientProperties, serde, featureCount, modelId,
                output);
        r.thread.start();
        return r;
    }

    /** Why the relay stopped on its own, if it did. */
    Throwable failure() {
        return failure.get();
    }

    private void relay(String bootstrapServers, String from, String to, Properties clientProperties, WireFormat serde,
            int featureCount, String modelId, float[] output) {
        Properties c = new Properties();
        c.putAll(clientProperties);
        c.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // As the job's source (KafkaConnectors.eventSource).
        c.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // As the job's sinks (KafkaConnectors.producerProperties).
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(KafkaConnectors.PRODUCER_BATCH_BYTES));
        EventParser parser = new EventParser(featureCount);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(from).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (!stop && failure.get() == null) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    byte[] value = r.value();
                    if (serde != null) {
                        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                        EventParser.Result e = serde == WireFormat.AVRO ? AvroRecords.event(value, key, featureCount)
                                : parser.parse(value, key);
                        if (!e.ok()) {
                            throw new IllegalStateException("an event the relay cannot read: " + e.deadLetter().error);
                        }
                        var o = KafkaBenchStage.FixedOutput.record(e.event(), output, modelId);
                        value = serde == WireFormat.AVRO ? AvroRecords.output(o)
                                : RecordJson.outputUtf8(o);
                    }
                    // The job's header, its timestamp left to the producer (KafkaConnectors' record serializer).
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(KafkaConnectors.EVENT_TIME_HEADER,
                            Long.toString(r.timestamp()).getBytes(StandardCharsets.US_ASCII));
                    producer.send(new ProducerRecord<>(to, null, null, r.key(), value, headers), (meta, ex) -> {
                        if (ex != null) {
                            failure.compareAndSet(null, ex);
                        }
                    });
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }
}
