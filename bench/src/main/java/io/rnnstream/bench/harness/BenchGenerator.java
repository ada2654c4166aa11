package io.rnnstream.bench.harness;

import io.rnnstream.connectors.Event;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Turns the sequence number i into the i-th event of N interleaved keys: key {@code i mod N}, step
 * {@code (i div N) mod T}, so each key runs sequences of T steps one after another and consecutive
 * events always belong to different keys (the worst case for state locality). Keys and feature
 * vectors are made once in {@code open()}, so the source costs an array lookup per event and the
 * operator under test dominates. Stamps each event's emission time for the sink's latency.
 */
public final class BenchGenerator extends RichMapFunction<Long, Event> {
    private static final long serialVersionUID = 1L;
    /** Distinct feature vectors cycled through: enough to defeat caching of one input. */
    public static final int POOL = 4096;

    private final int keys;
    private final int sequenceLength;
    private final int features;
    private final String runId;
    private final long rate;

    private transient String[] keyNames;
    private transient long start;
    private transient float[][] pool;
    private transient long[] stamps;

    BenchGenerator(int keys, int sequenceLength, int features, String runId, long rate) {
        this.keys = keys;
        this.rate = rate;
        this.sequenceLength = sequenceLength;
        this.features = features;
        this.runId = runId;
    }

    @Override
    public void open(OpenContext ctx) {
        keyNames = new String[keys];
        for (int k = 0; k < keys; k++) {
            keyNames[k] = keyName(k);
        }
        pool = features(POOL, features, 7);
        stamps = BenchProbe.run(runId).emitted;
    }

    /** The name of key k, in every benchmark. */
    public static String keyName(int k) {
        return "k" + k;
    }

    /** MNIST-row-like inputs: about 80 % zeros, the rest uniform in [0, 1]. */
    public static float[][] features(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] xs = new float[n][d];
        for (float[] x : xs) {
            for (int i = 0; i < d; i++) {
                x[i] = r.nextDouble() < 0.2 ? (float) r.nextDouble() : 0f;
            }
        }
        return xs;
    }

    @Override
    public Event map(Long boxed) {
        long i = boxed;
        int k = (int) (i % keys);
        int step = (int) ((i / keys) % sequenceLength);
        Event e = new Event(keyNames[k], step, Event.NO_TS, pool[(int) (i % POOL)], false);
        if (rate > 0) {
            // Paced: event i leaves at start + i / rate (spinning: sleeps are far coarser than 1 / rate).
            if (i == 0) {
                start = System.nanoTime();
            }
            long due = start + (long) (i * (1e9 / rate));
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
        }
        stamps[(int) (i & BenchProbe.RING_MASK)] = System.nanoTime();
        return e;
    }
}
