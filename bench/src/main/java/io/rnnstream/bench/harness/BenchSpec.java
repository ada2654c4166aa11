package io.rnnstream.bench.harness;

/**
 * One end-to-end run: which stage, on which state backend, over how many interleaved keys and events.
 *
 * @param backend "hashmap" (heap), "rocksdb", or "forst" (Flink 2's ForSt; needs flink-statebackend-forst on
 *     the classpath, which only the bench module's {@code bench} profile has)
 * @param keys N keys, interleaved: event i belongs to key i mod N
 * @param events events in the run, warm-up included
 * @param warmup events before the clock starts (-1: the default, see {@link #effectiveWarmup()})
 * @param sequenceLength T: each key's steps run 0..T−1, then a new sequence starts
 * @param managedMemory Flink managed memory for the TaskManager (RocksDB's cache and write buffers),
 *     e.g. "512m"; null for the MiniCluster's default
 * @param rate events per second the generator paces itself to (0: as fast as the pipeline takes them).
 *     Unpaced, latency is the queueing of a saturated pipeline; paced below capacity, it is each event's
 *     own path through it.
 * @param bufferTimeoutMs how long Flink lets a network buffer fill before sending it (-1: Flink's default,
 *     100 ms, as the job runs; 0: every record at once). Latency below saturation is mostly this wait.
 */
public record BenchSpec(String backend, int keys, long events, long warmup, int sequenceLength, String managedMemory,
        long rate, long bufferTimeoutMs) {
    public BenchSpec(String backend, int keys, long events, long warmup, int sequenceLength, String managedMemory) {
        this(backend, keys, events, warmup, sequenceLength, managedMemory, 0, -1);
    }

    public BenchSpec {
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be 0 (unpaced) or more, not " + rate);
        }
        if (!backend.equals("hashmap") && !backend.equals("rocksdb") && !backend.equals("forst")) {
            throw new IllegalArgumentException("--backend must be hashmap, rocksdb or forst, not " + backend);
        }
        if (keys < 1) {
            throw new IllegalArgumentException("--keys must be 1 or more, not " + keys);
        }
        if (sequenceLength < 1) {
            throw new IllegalArgumentException("--sequence-length must be 1 or more, not " + sequenceLength);
        }
    }

    /**
     * The warm-up: at least one full pass over the keys (the first event of a key creates its state,
     * a different cost from the steady state being measured) and a fifth of the run (JIT).
     */
    public long effectiveWarmup() {
        return warmup >= 0 ? warmup : Math.max(keys, events / 5);
    }

    public void check() {
        long w = effectiveWarmup();
        if (events - w < 1000) {
            throw new IllegalArgumentException("--events " + events + " leaves " + (events - w) + " events after the"
                    + " warm-up of " + w + " (one pass over the keys, at least a fifth of the run): raise --events"
                    + " to at least " + (w + 1000));
        }
    }
}
