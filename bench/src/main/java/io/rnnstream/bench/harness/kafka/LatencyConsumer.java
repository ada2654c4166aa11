package io.rnnstream.bench.harness.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The measuring consumer, in a JVM of its own: one Kafka consumer per isolation level
 * ({@code read_uncommitted}, {@code read_committed}), each reading the whole topic from the beginning.
 * Each record's latency runs from its event's producer timestamp (the output's
 * {@link KafkaConnectors#EVENT_TIME_HEADER}, or the record's own timestamp when it has none: the events
 * topic itself) to the moment a poll returned it, recorded in µs in an HdrHistogram for every record
 * after the warm-up. Every record is decoded in the run's format (JSON or Avro), as a real consumer would. Prints {@code ready} once both consumers have their partitions, {@code seen U C
 * CPU_NS} every 50 ms, and {@code done} once the results file is written.
 */
public final class LatencyConsumer {
    static final String[] ISOLATION = {"read_uncommitted", "read_committed"};

    private LatencyConsumer() {}

    /** What one consumer measured; times in µs of the wall clock. */
    static final class Measured {
        final AtomicLong count = new AtomicLong();
        final Histogram latencyMicros = new Histogram(3);
        /**
         * The two Kafka hops of a job's output, split at its record's timestamp (the job's producer stamps
         * it when the sink hands the output over): event → output written, and output written → this poll.
         */
        final Histogram toOutputMicros = new Histogram(3);
        final Histogram afterOutputMicros = new Histogram(3);
        /** Each second of the measured part (since its first record): "SECOND:COUNT:P50_US:P99_US:MAX_US". */
        final List<String> seconds = new ArrayList<>();
        private final Histogram second = new Histogram(3);
        private long firstMicros = -1;
        private long secondIndex;
        /** What decoding returned, summed, so that it is not dead code. */
        long decoded;
        /** When the last record arrived: the end of the measured part. */
        volatile long lastMicros = -1;

        /** Latency over time: stalls (a checkpoint, a GC, a buffer timeout) show as seconds of their own. */
        void record(long now, long latency) {
            if (firstMicros < 0) {
                firstMicros = now;
            }
            long s = (now - firstMicros) / 1_000_000;
            while (s > secondIndex) {
                endSecond();
                secondIndex++;
            }
            second.recordValue(latency);
        }

        /** Only outputs carry their event's time in a header; the events topic (Kafka alone) has one hop. */
        void split(ConsumerRecord<byte[], byte[]> r, long now) {
            Header h = r.headers().lastHeader(KafkaConnectors.EVENT_TIME_HEADER);
            if (h != null) {
                long written = 1_000 * r.timestamp();
                toOutputMicros.recordValue(Math.max(0, written - 1_000 * millis(h)));
                afterOutputMicros.recordValue(Math.max(0, now - written));
            }
        }

        void endSecond() {
            if (firstMicros >= 0) {
                seconds.add(secondIndex + ":" + second.getTotalCount() + ":" + second.getValueAtPercentile(50) + ":"
                        + second.getValueAtPercentile(99) + ":" + second.getMaxValue());
            }
            second.reset();
        }
    }

    public static void main(String[] args) throws Exception {
        Properties s = ChildJvm.settings(args);
        String topic = s.getProperty("topic");
        long expected = Long.parseLong(s.getProperty("expected"));
        long warmup = Long.parseLong(s.getProperty("warmup"));
        long idleNanos = Duration.ofMillis(Long.parseLong(s.getProperty("idle-timeout-ms"))).toNanos();
        Properties base = ChildJvm.clientProperties(s, "consumer.");
        base.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.getProperty("bootstrap-servers"));
        PrintStream out = System.out;
        Decoder decoder = new Decoder(WireFormat.parse(s.getProperty("format", "json")),
                "events".equals(s.getProperty("values", "outputs")));

        Measured[] m = {new Measured(), new Measured()};
        CountDownLatch ready = new CountDownLatch(ISOLATION.length);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < ISOLATION.length; i++) {
            Properties p = new Properties();
            p.putAll(base);
            p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, ISOLATION[i]);
            Measured mi = m[i];
            Path trace = s.getProperty("trace") == null ? null
                    : Path.of(s.getProperty("trace") + "-" + ISOLATION[i].replace("read_", "") + ".csv");
            Thread t = new Thread(() -> {
                try {
                    consume(p, topic, expected, warmup, idleNanos, mi, ready, decoder, trace);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            }, ISOLATION[i]);
            t.start();
            threads.add(t);
        }
        ready.await();
        out.println("ready");
        out.flush();
        Thread reporter = ChildJvm.reporter(() -> progress(m), out);
        for (Thread t : threads) {
            t.join();
        }
        ChildJvm.stop(reporter);
        if (failure.get() != null) {
            ChildJvm.fail(out, "consuming", failure.get());
        }
        write(Path.of(s.getProperty("results")), m);
        out.println(progress(m));
        out.println("done");
        out.flush();
    }

    private static String progress(Measured[] m) {
        return "seen " + m[0].count.get() + " " + m[1].count.get() + " " + ChildJvm.ownCpuNanos() + " " + ChildJvm.compileMillis();
    }

    private static void consume(Properties p, String topic, long expected, long warmup, long idleNanos, Measured m,
            CountDownLatch ready, Decoder decoder, Path trace) throws IOException {
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                Trace tr = trace == null ? null : new Trace(trace)) {
            // Assigned, not subscribed: no group to join, no rebalance delay before the first record.
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            parts.forEach(c::position);
            ready.countDown();
            long n = 0;
            long lastProgress = System.nanoTime();
            while (n < expected) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    if (System.nanoTime() - lastProgress > idleNanos) {
                        return;
                    }
                    continue;
                }
                // One clock reading per poll: every record of it arrived by then.
                long now = ChildJvm.wallMicros();
                lastProgress = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    n++;
                    m.decoded += decoder.decode(r.value());
                    if (n > warmup) {
                        long latency = Math.max(0, now - 1_000 * eventMillis(r));
                        m.latencyMicros.recordValue(latency);
                        m.record(now, latency);
                        m.split(r, now);
                        if (tr != null) {
                            tr.line(eventMillis(r), r.timestamp(), now);
                        }
                    }
                }
                m.lastMicros = now;
                m.count.set(n);
            }
            m.endSecond();
        }
    }

    /** {@code --trace}: one CSV line per measured record, written as it is polled (buffered). */
    private static final class Trace implements AutoCloseable {
        private final java.io.Writer out;
        private final StringBuilder line = new StringBuilder(48);

        Trace(Path file) throws IOException {
            out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
            out.write("event_ms,record_ms,polled_us\n");
        }

        void line(long eventMs, long recordMs, long polledMicros) throws IOException {
            line.setLength(0);
            line.append(eventMs).append(',').append(recordMs).append(',').append(polledMicros).append('\n');
            out.append(line);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * Reads every record as a consumer of the topic would (outputs, or events for Kafka alone), in the run's
     * format, so that the consumer's CPU per event includes decoding and a record that does not decode
     * fails the run.
     */
    static final class Decoder {
        private static final JsonFactory JSON = new JsonFactory();
        private final boolean avro;
        private final boolean events;
        private final EventParser parser = new EventParser(0);

        Decoder(WireFormat format, boolean events) {
            this.avro = format == WireFormat.AVRO;
            this.events = events;
        }

        /** The record's step. */
        int decode(byte[] value) {
            if (events) {
                EventParser.Result r = avro ? AvroRecords.event(value, null, 0)
                        : parser.parse(new String(value, StandardCharsets.UTF_8), null);
                if (!r.ok()) {
                    throw new IllegalStateException("an event that does not decode: " + r.deadLetter().error);
                }
                return r.event().step;
            }
            if (avro) {
                OutputRecord o = AvroRecords.readOutput(value);
                return o.step + o.output.length;
            }
            // The fields a consumer uses, floats included, read as Jackson's streaming reader gives them.
            try (JsonParser p = JSON.createParser(value)) {
                int step = -1;
                float sum = 0;
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("step".equals(name)) {
                            step = p.getIntValue();
                        } else if ("output".equals(name) && v == JsonToken.START_ARRAY) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                sum += p.getFloatValue();
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                return step + (int) sum;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("an output that does not decode: " + e.getMessage(), e);
            }
        }
    }

    /** The event's producer timestamp: the output's header, or the record's own timestamp (the events topic). */
    static long eventMillis(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(KafkaConnectors.EVENT_TIME_HEADER);
        return h == null ? r.timestamp() : millis(h);
    }

    private static long millis(Header h) {
        return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
    }

    private static void write(Path file, Measured[] m) throws Exception {
        Properties p = new Properties();
        for (int i = 0; i < m.length; i++) {
            String k = ISOLATION[i] + ".";
            p.setProperty(k + "count", Long.toString(m[i].count.get()));
            p.setProperty(k + "last-micros", Long.toString(m[i].lastMicros));
            p.setProperty(k + "latency-micros", encode(m[i].latencyMicros));
            p.setProperty(k + "to-output-micros", encode(m[i].toOutputMicros));
            p.setProperty(k + "after-output-micros", encode(m[i].afterOutputMicros));
            p.setProperty(k + "seconds", String.join(",", m[i].seconds));
        }
        try (OutputStream o = Files.newOutputStream(file)) {
            p.store(o, "rnnstream bench kafka: measuring consumer");
        }
    }

    static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b.array(), n));
    }

    static Histogram decode(String base64) throws java.util.zip.DataFormatException {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    }
}
