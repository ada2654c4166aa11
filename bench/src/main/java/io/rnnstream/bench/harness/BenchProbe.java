package io.rnnstream.bench.harness;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the generator and the sink of one run share. The benchmark runs on an in-process MiniCluster,
 * so both ends live in this JVM: the generator stamps each event's emission time into a ring, and the
 * sink, which sees the outputs in input order (parallelism 1, one output per event), reads the stamp
 * of its k-th output back. The ring is far larger than what can be in flight between them (network
 * buffers hold a few thousand events); the sink checks each output's step against the one expected,
 * so a broken ordering assumption fails the run instead of skewing it.
 */
final class BenchProbe {
    static final int RING = 1 << 20;
    static final long RING_MASK = RING - 1;

    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    private BenchProbe() {}

    /** One run's shared data, and what its sink measured. */
    static final class Run {
        final long[] emitted = new long[RING];
        volatile Measured measured;
        volatile Throwable failure;
    }

    /**
     * Sink-side measurements, taken between the warm-up output and the last output; that window's wall-clock
     * ends (epoch ms) let a profile leave out the JIT's warm-up.
     */
    record Measured(long measuredEvents, long wallNanos, long cpuNanos, long[] latencies, long heapBytesAtStart,
            long heapBytesAtEnd, long sstBytes, long endOfInputRecords, long startMillis, long endMillis) {}

    static Run open(String runId) {
        Run r = new Run();
        RUNS.put(runId, r);
        return r;
    }

    static Run run(String runId) {
        Run r = RUNS.get(runId);
        if (r == null) {
            throw new IllegalStateException("benchmark run " + runId + " is not in this JVM: the bench harness needs"
                    + " the in-process MiniCluster (it cannot run on a remote cluster)");
        }
        return r;
    }

    static void close(String runId) {
        RUNS.remove(runId);
    }
}
