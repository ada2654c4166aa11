package io.rnnstream.bench.harness;

import java.util.List;
import java.util.Locale;

/**
 * What one run measured. Rates are over the events after the warm-up. "Per core" is the rate at
 * parallelism 1 ({@link #eventsPerSecond}, wall clock); {@link #eventsPerCpuSecond} divides by the CPU
 * time the whole process used meanwhile (source, network, GC and JIT threads included), which is the
 * steadier number on a shared machine.
 */
public record BenchResult(String stage, String backend, int keys, long events, long measuredEvents,
        double eventsPerSecond, double eventsPerCpuSecond, double p50Micros, double p99Micros, long stateBytesPerKey,
        long rawFloatBytesPerKey, String stateDetail, double sstBytesPerKey, double heapBytesPerKey,
        double loadAverage, String managedMemory, long rate) {

    static final String[] HEADER = {"stage", "backend", "keys", "paced at", "events/s", "events/cpu-s", "p50 µs", "p99 µs",
        "state B/key", "raw B/key", "SST B/key", "heap B/key", "load"};

    String[] row() {
        return new String[] {stage, // Managed memory only sizes RocksDB/ForSt; the heap backend does not use it.
            backend + (managedMemory == null || backend.equals("hashmap") ? "" : " (" + managedMemory + ")"),
            String.format(Locale.ROOT, "%,d", keys), rate == 0 ? "-" : String.format(Locale.ROOT, "%,d/s", rate),
            String.format(Locale.ROOT, "%,.0f", eventsPerSecond),
            String.format(Locale.ROOT, "%,.0f", eventsPerCpuSecond), String.format(Locale.ROOT, "%.1f", p50Micros),
            String.format(Locale.ROOT, "%.1f", p99Micros), Long.toString(stateBytesPerKey),
            Long.toString(rawFloatBytesPerKey), sstBytesPerKey < 0 ? "-" : String.format(Locale.ROOT, "%.0f",
                sstBytesPerKey),
            heapBytesPerKey < 0 ? "-" : String.format(Locale.ROOT, "%.0f", heapBytesPerKey),
            String.format(Locale.ROOT, "%.2f", loadAverage)};
    }

    /** A Markdown table of the runs (also readable as plain text). */
    public static String table(List<BenchResult> results) {
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(HEADER);
        for (BenchResult r : results) {
            rows.add(r.row());
        }
        return MarkdownTable.of(rows, 2);
    }

    /**
     * The median of repeated runs of one configuration: each measure's own median (so the row need not
     * be one run's), named "STAGE (median of N)".
     */
    public static BenchResult median(List<BenchResult> runs) {
        BenchResult f = runs.get(0);
        return new BenchResult(f.stage + " (median of " + runs.size() + ")", f.backend, f.keys, f.events,
                f.measuredEvents, med(runs, BenchResult::eventsPerSecond), med(runs, BenchResult::eventsPerCpuSecond),
                med(runs, BenchResult::p50Micros), med(runs, BenchResult::p99Micros), f.stateBytesPerKey,
                f.rawFloatBytesPerKey, f.stateDetail, measured(runs, BenchResult::sstBytesPerKey),
                measured(runs, BenchResult::heapBytesPerKey), med(runs, BenchResult::loadAverage), f.managedMemory, f.rate);
    }

    /** The median of the runs where it was measured (not negative), or -1. */
    private static double measured(List<BenchResult> runs, java.util.function.ToDoubleFunction<BenchResult> f) {
        List<BenchResult> m = runs.stream().filter(r -> f.applyAsDouble(r) >= 0).toList();
        return m.isEmpty() ? -1 : med(m, f);
    }

    private static double med(List<BenchResult> runs, java.util.function.ToDoubleFunction<BenchResult> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    public String toJson() {
        return String.format(Locale.ROOT, "{\"stage\":\"%s\",\"backend\":\"%s\",\"managedMemory\":%s,"
                        + "\"keys\":%d,\"rate\":%d,"
                        + "\"events\":%d,\"measuredEvents\":%d,\"eventsPerSecond\":%.1f,\"eventsPerCpuSecond\":%.1f,"
                        + "\"p50Micros\":%.2f,\"p99Micros\":%.2f,\"stateBytesPerKey\":%d,\"rawFloatBytesPerKey\":%d,"
                        + "\"stateDetail\":\"%s\",\"sstBytesPerKey\":%s,\"heapBytesPerKey\":%s,\"loadAverage\":%.2f}",
                esc(stage), esc(backend), managedMemory == null ? "null" : "\"" + esc(managedMemory) + "\"", keys, rate,
                events, measuredEvents, eventsPerSecond, eventsPerCpuSecond, p50Micros, p99Micros, stateBytesPerKey,
                rawFloatBytesPerKey, esc(stateDetail), sstBytesPerKey < 0 ? "null" : String.format(Locale.ROOT,
                        "%.1f", sstBytesPerKey),
                heapBytesPerKey < 0 ? "null" : String.format(Locale.ROOT, "%.1f", heapBytesPerKey), loadAverage);
    }

    public static String toJson(List<BenchResult> results) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            sb.append("  ").append(results.get(i).toJson()).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        return sb.append("]\n").toString();
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
