package io.rnnstream.bench.harness;

import io.rnnstream.connectors.OutputRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Discards the outputs, measuring as it goes: wall and process CPU time from the warm-up output to the
 * last one, each output's latency since its event was generated, and at the start and end the heap in
 * use after a GC (the heap backend's state) or the RocksDB SST files' size. The two GCs and the
 * directory walk happen outside the timed window.
 */
final class MeasuringSink implements Sink<OutputRecord> {
    private static final long serialVersionUID = 1L;
    /** At most this many latencies are kept (evenly strided over the measured events). */
    static final int MAX_LATENCY_SAMPLES = 1 << 21;

    private final String runId;
    private final long events;
    private final long warmup;
    private final int keys;
    private final int sequenceLength;
    private final boolean ordered;
    private final boolean measureHeap;
    private final String rocksDbDir;

    MeasuringSink(String runId, long events, long warmup, int keys, int sequenceLength, boolean ordered,
            boolean measureHeap, String rocksDbDir) {
        this.runId = runId;
        this.events = events;
        this.warmup = warmup;
        this.keys = keys;
        this.sequenceLength = sequenceLength;
        this.ordered = ordered;
        this.measureHeap = measureHeap;
        this.rocksDbDir = rocksDbDir;
    }

    @Override
    public SinkWriter<OutputRecord> createWriter(WriterInitContext context) {
        return new Writer();
    }

    private final class Writer implements SinkWriter<OutputRecord> {
        private final BenchProbe.Run run = BenchProbe.run(runId);
        private final long[] emitted = run.emitted;
        private final long measured = events - warmup;
        private final long stride = Math.max(1, (measured + MAX_LATENCY_SAMPLES - 1) / MAX_LATENCY_SAMPLES);
        private final long[] latencies = new long[(int) ((measured + stride - 1) / stride)];
        private int samples;
        private long count;
        private long finals;
        private long t0;
        private long cpu0;
        private long startMillis;
        private long heap0 = -1;

        @Override
        public void write(OutputRecord r, Context context) {
            if (r.reason != null) {
                // The operator's end-of-input records for sequences still open when the input ended.
                finals++;
                return;
            }
            long k = count++;
            long now = System.nanoTime();
            long expected = (k / keys) % sequenceLength;
            if (ordered && r.step != expected) {
                IllegalStateException e = new IllegalStateException("output " + k + " is step " + r.step
                        + " of key " + r.key + ", expected step " + expected + ": outputs are not in input order");
                run.failure = e;
                throw e;
            }
            if (k >= warmup) {
                long d = k - warmup;
                if (d % stride == 0 && samples < latencies.length) {
                    latencies[samples++] = now - emitted[(int) (k & BenchProbe.RING_MASK)];
                }
                if (k == warmup) {
                    t0 = now;
                    cpu0 = cpuNanos();
                    startMillis = System.currentTimeMillis();
                }
            }
            if (k == 0 && measureHeap) {
                heap0 = heapAfterGc();
            }
            if (k == events - 1) {
                long wall = now - t0;
                long cpu = cpuNanos() - cpu0;
                long endMillis = System.currentTimeMillis();
                long heap1 = measureHeap ? heapAfterGc() : -1;
                long sst = rocksDbDir == null ? -1 : sstBytes(Path.of(rocksDbDir));
                long[] lat = java.util.Arrays.copyOf(latencies, samples);
                run.measured = new BenchProbe.Measured(events - 1 - warmup, wall, cpu, lat, heap0, heap1, sst, finals,
                        startMillis, endMillis);
            }
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {
            if (run.measured != null) {
                run.measured = new BenchProbe.Measured(run.measured.measuredEvents(), run.measured.wallNanos(),
                        run.measured.cpuNanos(), run.measured.latencies(), run.measured.heapBytesAtStart(),
                        run.measured.heapBytesAtEnd(), run.measured.sstBytes(), finals, run.measured.startMillis(),
                        run.measured.endMillis());
            }
        }
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long sstBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sst")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // compacted away while we walked
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UncheckedIOException e) {
            return -1;
        }
    }
}
