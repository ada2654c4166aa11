package io.rnnstream.bench.harness.soak;

import io.rnnstream.connectors.kafka.KafkaConnectors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the outputs and the dead letters from the beginning, as a downstream consumer would
 * ({@code read_committed} under exactly-once), and accounts for every event: each (key, step) answered
 * once, the idle-timeout records counted apart. Each output's latency runs from its event's producer
 * timestamp (the output's {@link KafkaConnectors#EVENT_TIME_HEADER}) to the poll that returned it, into a
 * histogram the sampler swaps out every interval.
 */
final class SoakConsumer {
    private final String bootstrap;
    private final List<String> topics;
    private final int sequenceLength;
    private final boolean committed;
    private final Recorder latencyMicros = new Recorder(3);
    private final AtomicLong outputs = new AtomicLong();
    private final AtomicLong finals = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong foreign = new AtomicLong();
    private final BitSet answered = new BitSet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private Thread thread;

    SoakConsumer(String bootstrap, String outputs, String deadLetters, int sequenceLength, boolean committed) {
        this.bootstrap = bootstrap;
        this.topics = List.of(outputs, deadLetters);
        this.sequenceLength = sequenceLength;
        this.committed = committed;
    }

    void start() {
        thread = new Thread(this::run, "soak-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }

    /** The latencies since the last call, in µs. */
    Histogram interval() {
        return latencyMicros.getIntervalHistogram();
    }

    /** Outputs caused by events (not idle-timeout records). */
    long outputs() {
        return outputs.get();
    }

    long finals() {
        return finals.get();
    }

    long deadLetters() {
        return deadLetters.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    /** Outputs that are no soak event's: none are expected. */
    long foreign() {
        return foreign.get();
    }

    /** Distinct (key, step) answered. */
    synchronized long distinct() {
        return answered.cardinality();
    }

    Throwable failure() {
        return failure.get();
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                c.partitionsFor(t).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            }
            // Assigned, not subscribed: no group, no rebalance pause in the latency.
            c.assign(parts);
            c.seekToBeginning(parts);
            while (!stop) {
                var records = c.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long nowMicros = nowMicros();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.topic().equals(topics.get(1))) {
                        deadLetters.incrementAndGet();
                    } else {
                        account(r, nowMicros);
                    }
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    private void account(ConsumerRecord<byte[], byte[]> r, long nowMicros) {
        String v = new String(r.value(), StandardCharsets.UTF_8);
        if (v.contains("\"reason\":\"")) {
            finals.incrementAndGet();
            return;
        }
        long id = number(v, "\"key\":\"soak-");
        long step = number(v, "\"step\":");
        if (id < 0 || step < 0 || step >= sequenceLength) {
            foreign.incrementAndGet();
            return;
        }
        int bit = Math.toIntExact(id * sequenceLength + step);
        synchronized (this) {
            if (answered.get(bit)) {
                duplicates.incrementAndGet();
            }
            answered.set(bit);
        }
        outputs.incrementAndGet();
        Header h = r.headers().lastHeader(KafkaConnectors.EVENT_TIME_HEADER);
        if (h != null) {
            long sentMillis = Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
            latencyMicros.recordValue(Math.max(0, nowMicros - 1000 * sentMillis));
        }
    }

    /** The non-negative integer right after {@code prefix} in {@code s}, or -1. */
    private static long number(String s, String prefix) {
        int i = s.indexOf(prefix);
        if (i < 0) {
            return -1;
        }
        i += prefix.length();
        long n = 0;
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            n = 10 * n + (s.charAt(i++) - '0');
        }
        return i == start ? -1 : n;
    }

    static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
