package io.rnnstream.bench.harness.soak;

import io.rnnstream.bench.harness.BenchGenerator;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The soak's load: a fixed rate over a fixed number of slots, each running one key's sequence. Event i
 * goes to slot {@code i mod keys}, so each key steps every keys / rate seconds. A slot's sequence either
 * runs to its last step ({@code end: true}) or, for a seeded fraction, stops midway and is left to the
 * idle timeout; either way the slot then takes a key never used before, so the population keeps turning
 * over and old keys fall silent for good. Events carry no {@code ts}: the job's idle timers then run on
 * the wall clock and can fire after the traffic stops (event-time timers would wait for a watermark that
 * no longer moves). Each record's timestamp is the moment it is sent: the job puts it on the output, the
 * latency's start.
 */
final class SoakTraffic {
    private static final long PARK_SLACK_NANOS = 200_000;

    private final SoakSpec spec;
    private final String bootstrap;
    private final String topic;
    private final float[][] pool;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private Thread thread;
    /** Known once the thread ends: sequences ended by the generator, and those it left running. */
    private volatile long ended;
    private volatile long abandoned;
    private volatile long leftRunning;

    SoakTraffic(SoakSpec spec, String bootstrap, String topic, int features) {
        this.spec = spec;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.pool = BenchGenerator.features(BenchGenerator.POOL, features, 7);
    }

    static String key(long id) {
        return "soak-" + id;
    }

    void start() {
        thread = new Thread(this::run, "soak-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sending and waits for every sent record's acknowledgement. */
    void stop() throws InterruptedException {
        stop = true;
        thread.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the soak's producer failed", failure.get());
        }
    }

    long sent() {
        return sent.get();
    }

    long acked() {
        return acked.get();
    }

    Throwable failure() {
        return failure.get();
    }

    long ended() {
        return ended;
    }

    /** Sequences stopped midway on purpose, plus those still running when the traffic stopped. */
    long unfinished() {
        return abandoned + leftRunning;
    }

    private void run() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        int k = spec.keys();
        int t = spec.sequenceLength();
        Random random = new Random(18);
        long[] keyOf = new long[k];
        int[] stepOf = new int[k];
        int[] stopAt = new int[k];
        boolean[] ends = new boolean[k];
        long nextKey = 0;
        for (int s = 0; s < k; s++) {
            keyOf[s] = nextKey++;
            // The first sequences end anywhere from step 0 to T-1, so that the slots do not end and start
            // in step with each other: the population is steady from the first minute, not a wave.
            next(random, t, s, stopAt, ends, true);
        }
        long endedN = 0;
        long abandonedN = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.partitionsFor(topic);
            long start = System.nanoTime();
            for (long i = 0; !stop && failure.get() == null; i++) {
                long wait = start + (long) (i * (1e9 / spec.rate())) - System.nanoTime();
                if (wait > PARK_SLACK_NANOS) {
                    LockSupport.parkNanos(wait);
                }
                int s = (int) (i % k);
                int step = stepOf[s];
                boolean end = ends[s] && step == stopAt[s] - 1;
                String key = key(keyOf[s]);
                byte[] value = event(key, step, pool[(int) (i % BenchGenerator.POOL)], end)
                        .getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                        key.getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                acked.incrementAndGet();
                            }
                        });
                sent.incrementAndGet();
                stepOf[s] = step + 1;
                if (stepOf[s] == stopAt[s]) {
                    if (end) {
                        endedN++;
                    } else {
                        abandonedN++;
                    }
                    keyOf[s] = nextKey++;
                    stepOf[s] = 0;
                    next(random, t, s, stopAt, ends, false);
                }
            }
            producer.flush();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
        long running = 0;
        for (int s = 0; s < k; s++) {
            if (stepOf[s] > 0) {
                running++;
            }
        }
        ended = endedN;
        abandoned = abandonedN;
        leftRunning = running;
    }

    /**
     * Slot {@code s}'s next sequence: for the abandoned fraction, 1 to T-1 steps and no end; else T steps,
     * the last with {@code end: true} (1 to T steps for the first sequences).
     */
    private void next(Random random, int t, int s, int[] stopAt, boolean[] ends, boolean first) {
        ends[s] = random.nextDouble() >= spec.abandoned();
        stopAt[s] = ends[s] ? (first ? 1 + random.nextInt(t) : t) : 1 + random.nextInt(t - 1);
    }

    /** The job's event schema without {@code ts} (docs/STREAMING.md). */
    static String event(String key, int step, float[] x, boolean end) {
        StringBuilder sb = new StringBuilder(48 + 4 * x.length);
        sb.append("{\"key\":\"").append(key).append("\",\"step\":").append(step).append(",\"features\":[");
        for (int i = 0; i < x.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            float f = x[i];
            if (f == (int) f) {
                sb.append((int) f);
            } else {
                sb.append(f);
            }
        }
        return sb.append("],\"end\":").append(end).append('}').toString();
    }
}
