package io.rnnstream.connectors.replay;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes replayed events to a Kafka topic, keyed by the event key, at a bounded rate. */
public final class KafkaReplay {
    /**
     * {@code linger.ms} of a paced replay's producer unless the caller sets one. Paced events stand for events
     * that happen one at a time, and a producer that waits for company adds its wait to every event's latency:
     * at Kafka's 5 ms an event waited 2.5 ms on average before the broker had it, the largest part of a
     * paced job's median (docs/BENCHMARKS.md, "Session 25"). Kafka's own end-to-end latency tool sends with
     * no linger at all; an unpaced replay keeps 5 ms, where full batches are what counts.
     */
    public static final String PACED_LINGER_MS = "1";

    private KafkaReplay() {}

    /**
     * @param ratePerSecond events per second, or 0 for as fast as the broker takes them
     * @param progress called with the number of events sent so far, now and then
     * @return the number of events sent
     */
    public static long send(Iterator<ReplayEvent> events, String bootstrapServers, String topic,
            Properties clientProperties, double ratePerSecond, LongConsumer progress) throws Exception {
        return send(events, bootstrapServers, topic, clientProperties, ratePerSecond, progress, (e, ts) -> { });
    }

    /** Called when the broker has a replayed event, with the record's timestamp (the time it was sent). */
    @FunctionalInterface
    public interface Acked {
        void acked(ReplayEvent event, long recordTimestamp);
    }

    /** As above, and {@code acked} learns each event's record timestamp, for latency measurements. */
    public static long send(Iterator<ReplayEvent> events, String bootstrapServers, String topic,
            Properties clientProperties, double ratePerSecond, LongConsumer progress, Acked acked) throws Exception {
        return send(events, bootstrapServers, topic, clientProperties, ratePerSecond, progress, acked, WireFormat.JSON);
    }

    /** As above, each event in {@code format}: JSON text or Avro binary, as the job's {@code --format} reads it. */
    public static long send(Iterator<ReplayEvent> events, String bootstrapServers, String topic,
            Properties clientProperties, double ratePerSecond, LongConsumer progress, Acked acked, WireFormat format)
            throws Exception {
        boolean avro = format == WireFormat.AVRO;
        Properties p = producerSettings(clientProperties, bootstrapServers, ratePerSecond);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (events.hasNext()) {
                if (failure.get() != null) {
                    throw failure.get();
                }
                ReplayEvent e = events.next();
                if (ratePerSecond > 0) {
                    long due = start + (long) (sent * 1e9 / ratePerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                producer.send(new ProducerRecord<>(topic, e.key().getBytes(StandardCharsets.UTF_8),
                        avro ? e.toAvro() : e.toJson().getBytes(StandardCharsets.UTF_8)), (meta, ex) -> {
                            if (ex != null) {
                                failure.compareAndSet(null, ex);
                            } else {
                                acked.acked(e, meta.timestamp());
                            }
                        });
                sent++;
                if ((sent & 255) == 0) {
                    progress.accept(sent);
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        progress.accept(sent);
        return sent;
    }

    /** The replay's producer settings: the caller's, over the replay's defaults. */
    static Properties producerSettings(Properties clientProperties, String bootstrapServers, double ratePerSecond) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, ratePerSecond > 0 ? PACED_LINGER_MS : "5");
        // A replay sends as fast as it may: 16 KiB batches held ~75 events and cost it twice the CPU per event
        // of full 128 KiB ones, and the broker half as much again (docs/BENCHMARKS.md, "Session 17").
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(KafkaConnectors.PRODUCER_BATCH_BYTES));
        return p;
    }
}
