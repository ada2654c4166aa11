package io.rnnstream.bench.harness.kafka;

import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.replay.ReplayEvent;
import io.rnnstream.bench.harness.BenchGenerator;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The load generator, in a JVM of its own: MNIST-shaped events (D floats, about 80 % zeros) of N
 * interleaved keys in the job's JSON format (or Avro: {@code format=avro}), event i being step {@code (i div N) mod T} of key
 * {@code i mod N}, unpaced or at a fixed rate. Each record's timestamp is the moment it is sent and its
 * {@code ts} is the same value, so latency runs from the record's producer timestamp.
 *
 * <p>The warm-up events go first, unpaced but for their last {@code paced-warm-up-ms} worth at the rate
 * ({@link KafkaBenchSpec#DEFAULT_PACED_WARM_UP}). The unpaced part compiles what runs per record: a short
 * warm-up all paced left the JVMs' JIT compilers compiling through the measured part (at 1,000 events/s
 * they took half of the two cores, and every process's CPU per event doubled), where a long-running job
 * has long since finished. The paced part compiles what runs per request (each one a few records at a
 * paced rate), which an unpaced warm-up leaves cold (docs/BENCHMARKS.md, sessions 14 and 19). Then
 * it prints {@code warm} and waits for {@code go} on stdin, which the harness sends once their outputs
 * are all in and the machine is quiet: the measured events start on a pipeline that is up, warm and
 * empty. It prints {@code go WALL_US CPU_NS} when it resumes, {@code sent COUNT CPU_NS} (acknowledged
 * records, this JVM's CPU time) every 50 ms, and {@code done} at the end.
 */
public final class LoadGenerator {
    private static final long PARK_SLACK_NANOS = 200_000;

    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        Properties s = ChildJvm.settings(args);
        String topic = s.getProperty("topic");
        int keys = Integer.parseInt(s.getProperty("keys"));
        long events = Long.parseLong(s.getProperty("events"));
        long rate = Long.parseLong(s.getProperty("rate"));
        long warmup = Long.parseLong(s.getProperty("warmup"));
        long pacedWarmUpMillis = Long.parseLong(s.getProperty("paced-warm-up-ms",
                Long.toString(KafkaBenchSpec.DEFAULT_PACED_WARM_UP.toMillis())));
        int t = Integer.parseInt(s.getProperty("sequence-length"));
        int d = Integer.parseInt(s.getProperty("features"));
        double malformed = Double.parseDouble(s.getProperty("malformed", "0"));
        boolean avro = WireFormat.parse(s.getProperty("format", "json")) == WireFormat.AVRO;
        long bad = 0;
        Properties p = ChildJvm.clientProperties(s, "producer.");
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.getProperty("bootstrap-servers"));
        if (rate > 0) {
            // As a paced KafkaReplay: events that happen one at a time do not wait for company.
            p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, io.rnnstream.connectors.replay.KafkaReplay.PACED_LINGER_MS);
        }
        // As KafkaReplay: unpaced, Kafka's 16 KiB batches made the generator, and the broker, the limit.
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG,
                Integer.toString(io.rnnstream.connectors.kafka.KafkaConnectors.PRODUCER_BATCH_BYTES));

        float[][] pool = BenchGenerator.features(BenchGenerator.POOL, d, 7);
        String[] names = new String[keys];
        byte[][] keyBytes = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            names[k] = BenchGenerator.keyName(k);
            keyBytes[k] = names[k].getBytes(StandardCharsets.UTF_8);
        }
        PrintStream out = System.out;
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread reporter = ChildJvm.reporter(() -> "sent " + acked.get() + " " + ChildJvm.ownCpuNanos() + " "
                + ChildJvm.compileMillis(), out);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Metadata before the clock starts: the first send would otherwise wait for it, then catch up.
            producer.partitionsFor(topic);
            long start = System.nanoTime();
            long first = 0;
            // A warm-up shorter than the paced part is paced all through.
            long pacedFrom = rate > 0 ? Math.max(0, warmup - rate * pacedWarmUpMillis / 1_000) : warmup;
            for (long i = 0; i < events && failure.get() == null; i++) {
                if (i == pacedFrom && i < warmup) {
                    start = System.nanoTime();
                    first = i;
                }
                if (i == warmup) {
                    if (i > 0) {
                        producer.flush();
                        out.println("warm");
                        out.flush();
                        awaitGo();
                    }
                    out.println("go " + ChildJvm.wallMicros() + " " + ChildJvm.ownCpuNanos() + " " + ChildJvm.compileMillis());
                    out.flush();
                    start = System.nanoTime();
                    first = i;
                }
                if (rate > 0 && i >= pacedFrom) {
                    // Parked, not spinning: a spinning generator would bill its wait as CPU per event. Events due
                    // within PARK_SLACK go at once: a park per event at 10,000/s is 10,000 context switches a second
                    // of the generator's own (each record's timestamp is still the moment it is sent).
                    long wait = start + (long) ((i - first) * (1e9 / rate)) - System.nanoTime();
                    if (wait > PARK_SLACK_NANOS) {
                        LockSupport.parkNanos(wait);
                    }
                }
                int k = (int) (i % keys);
                int step = (int) ((i / keys) % t);
                long ts = System.currentTimeMillis();
                if (malformed > 0 && (long) ((i + 1) * malformed) > (long) (i * malformed)) {
                    // Besides the events, not instead of one (every sequence stays whole), and before its event, so
                    // that its dead letter is committed by the checkpoint that commits the event's output.
                    byte[] junk = avro ? malformedAvro(bad++, names[k], step, d)
                            : malformed(bad++, names[k], step, d).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, null, ts, keyBytes[k], junk), (meta, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
                float[] features = pool[(int) (i % BenchGenerator.POOL)];
                byte[] value = avro ? AvroRecords.event(new Event(names[k], step, ts, features, step == t - 1))
                        : new ReplayEvent(names[k], step, ts, features, step == t - 1).toJson()
                                .getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, null, ts, keyBytes[k], value), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        ChildJvm.stop(reporter);
        if (failure.get() != null) {
            ChildJvm.fail(out, "sending", failure.get());
        }
        out.println("sent " + acked.get() + " " + ChildJvm.ownCpuNanos() + " " + ChildJvm.compileMillis());
        out.println("malformed " + bad);
        out.println("done");
        out.flush();
    }

    /** The n-th malformed record: each kind of bad input the parse stage refuses, in turn. */
    static String malformed(long n, String key, int step, int d) {
        switch ((int) (n % 4)) {
            case 0:
                return "{\"key\":\"" + key + "\",\"step\":" + step + ",\"features\":[0.5,";
            case 1:
                return "{\"key\":\"" + key + "\",\"step\":" + step + ",\"features\":[" + (d == 1 ? "1,2" : "1") + "]}";
            case 2:
                return "{\"key\":\"" + key + "\",\"step\":" + step + ",\"features\":\"pixels\"}";
            default:
                return "<html>502 Bad Gateway</html>";
        }
    }

    /** The n-th malformed Avro record: a truncated event, a wrong feature count, JSON text, a bad union branch. */
    static byte[] malformedAvro(long n, String key, int step, int d) {
        switch ((int) (n % 4)) {
            case 0: {
                byte[] ok = AvroRecords.event(new Event(key, step, Event.NO_TS, new float[d], false));
                return java.util.Arrays.copyOf(ok, ok.length - 3);
            }
            case 1:
                return AvroRecords.event(new Event(key, step, Event.NO_TS, new float[d + 1], false));
            case 2:
                return malformed(0, key, step, d).getBytes(StandardCharsets.UTF_8);
            default:
                return new byte[] {9, 9, 9};
        }
    }

    private static void awaitGo() throws java.io.IOException {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        String line = in.readLine();
        if (!"go".equals(line)) {
            throw new IllegalStateException("expected 'go' from the harness, got " + line);
        }
    }
}
