package io.rnnstream.bench.harness.kafka;

import io.rnnstream.bench.harness.MarkdownTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * What one stage of the Kafka benchmark measured. Rates and CPU are over the steady window (the
 * warm-up'th output to the last); latencies over every output after the warm-up. CPU is µs of CPU
 * time per event of each process on its own: the job (the JVM the Flink MiniCluster runs in, less the
 * harness's own threads there, whose CPU per event is {@code harnessCpuMicros}), the broker, the generator
 * and the measuring consumer (its two clients together). NaN: not measured.
 * {@code jobGcMillis}: the job JVM's garbage collection time in the measured part. {@code jitMillis}: time
 * the JIT compilers of the harness (job), generator and consumer JVMs spent in the measured part: more
 * than a few percent of it means the run measured JVMs still warming up, not the steady state (warm up
 * longer: {@link #stillCompiling()}). The per-second
 * latencies (JSON only) show stalls: a second whose p99 stands out, or that has no outputs at all.
 * {@code hops}: the same latencies split where the job's output record was written.
 */
public record KafkaBenchResult(String stage, String delivery, int keys, long events, long measuredEvents, long rate,
        double eventsPerSecond, double generatorEventsPerSecond, Latency uncommitted, Latency committed,
        double jobCpuMicros, double brokerCpuMicros, double generatorCpuMicros, double consumerCpuMicros,
        double jobGcMillis, double jitMillis, List<Second> uncommittedSeconds, List<Second> committedSeconds, double loadAverage,
        Hops hops, double harnessCpuMicros) {

    /**
     * A job stage's latency in its two Kafka hops, split at the output record's timestamp (stamped by the
     * job's producer when the sink hands it the output): from the event's producer timestamp to then
     * (the event's producer batch, the broker, the job's fetch, the job), and from then to each
     * consumer's poll (the job's producer batch, the broker, the transaction's commit for
     * read_committed, the consumer's fetch). Kafka's timestamps are whole milliseconds, so each part
     * is ±1 ms. {@link #NONE} where no job ran (Kafka alone, the engine).
     */
    public record Hops(Latency toOutput, Latency outputToUncommitted, Latency outputToCommitted) {
        public static final Hops NONE = new Hops(Latency.NONE, Latency.NONE, Latency.NONE);

        boolean measured() {
            return toOutput.count > 0;
        }

        String json() {
            return "{\"eventToOutputWritten\":" + toOutput.json() + ",\"outputWrittenToReadUncommitted\":"
                    + outputToUncommitted.json() + ",\"outputWrittenToReadCommitted\":" + outputToCommitted.json() + "}";
        }

        static Hops median(List<KafkaBenchResult> runs) {
            if (runs.stream().anyMatch(r -> !r.hops.measured())) {
                return NONE;
            }
            return new Hops(Latency.median(runs, r -> r.hops.toOutput), Latency.median(runs, r -> r.hops.outputToUncommitted),
                    Latency.median(runs, r -> r.hops.outputToCommitted));
        }
    }

    /** One second of the measured part, from its first output: outputs, and their latency in µs. */
    public record Second(long second, long count, long p50Micros, long p99Micros, long maxMicros) {
        /** "SECOND:COUNT:P50:P99:MAX,…" as the measuring consumer writes it. */
        static List<Second> parse(String s) {
            List<Second> out = new ArrayList<>();
            if (s == null || s.isBlank()) {
                return out;
            }
            for (String item : s.split(",")) {
                String[] f = item.split(":");
                out.add(new Second(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4])));
            }
            return out;
        }

        String json() {
            return "[" + second + "," + count + "," + p50Micros + "," + p99Micros + "," + maxMicros + "]";
        }
    }

    /** Percentiles of one consumer's latencies, in ms; {@link #NONE} when not measured. */
    public record Latency(long count, double p50, double p99, double p999, double max) {
        public static final Latency NONE = new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        static Latency of(Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return NONE;
            }
            return new Latency(micros.getTotalCount(), micros.getValueAtPercentile(50) / 1e3,
                    micros.getValueAtPercentile(99) / 1e3, micros.getValueAtPercentile(99.9) / 1e3,
                    micros.getMaxValue() / 1e3);
        }

        String cell() {
            return count == 0 ? "-" : String.format(Locale.ROOT, "%s / %s / %s / %s", ms(p50), ms(p99), ms(p999),
                    ms(max));
        }

        String json() {
            return String.format(Locale.ROOT, "{\"count\":%d,\"p50Ms\":%s,\"p99Ms\":%s,\"p999Ms\":%s,\"maxMs\":%s}", count,
                    num(p50), num(p99), num(p999), num(max));
        }

        /** Each percentile's own median over the runs, of one consumer's latencies. */
        static Latency median(List<KafkaBenchResult> runs, boolean uncommitted) {
            return median(runs, r -> uncommitted ? r.uncommitted : r.committed);
        }

        static Latency median(List<KafkaBenchResult> runs, java.util.function.Function<KafkaBenchResult, Latency> which) {
            List<Latency> ls = runs.stream().map(which).toList();
            if (ls.stream().anyMatch(l -> l.count == 0)) {
                return NONE;
            }
            return new Latency(ls.get(0).count, med(ls, Latency::p50), med(ls, Latency::p99), med(ls, Latency::p999),
                    med(ls, Latency::max));
        }

        private static String ms(double v) {
            return String.format(Locale.ROOT, v < 10 ? "%.1f" : "%,.0f", v);
        }
    }

    static final String[] HEADER = {"stage", "delivery", "paced at", "events/s", "generator/s",
        "uncommitted ms p50 / p99 / p99.9 / max", "committed ms p50 / p99 / p99.9 / max", "job µs/ev",
        "broker µs/ev", "generator µs/ev", "consumer µs/ev", "job GC ms", "JIT ms", "load"};

    String[] row() {
        return new String[] {stage, delivery, rate == 0 ? "-" : String.format(Locale.ROOT, "%,d/s", rate),
            count(eventsPerSecond), count(generatorEventsPerSecond), uncommitted.cell(), committed.cell(),
            micros(jobCpuMicros), micros(brokerCpuMicros), micros(generatorCpuMicros), micros(consumerCpuMicros),
            count(jobGcMillis), count(jitMillis), String.format(Locale.ROOT, "%.2f", loadAverage)};
    }

    /** The stages as a Markdown table, then rnnstream ÷ each anchor that ran beside it. */
    public static String table(List<KafkaBenchResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (KafkaBenchResult r : results) {
            rows.add(r.row());
        }
        StringBuilder sb = new StringBuilder(MarkdownTable.of(rows, 2));
        List<String[]> ratios = new ArrayList<>();
        ratios.add(new String[] {"rnnstream ÷", "events/s", "job CPU/event", "uncommitted p99", "committed p99"});
        for (Ratio q : ratios(results)) {
            ratios.add(new String[] {q.anchor(), times(q.eventsPerSecond()), times(q.jobCpu()),
                times(q.uncommittedP99()), times(q.committedP99())});
        }
        if (ratios.size() > 1) {
            sb.append('\n').append(MarkdownTable.of(ratios, 1));
        }
        List<String[]> hops = new ArrayList<>();
        hops.add(new String[] {"where the latency goes (ms p50 / p99 / p99.9 / max)", "event → output written",
            "output written → uncommitted", "output written → committed"});
        for (KafkaBenchResult r : results) {
            if (r.hops.measured()) {
                hops.add(new String[] {r.stage, r.hops.toOutput.cell(), r.hops.outputToUncommitted.cell(),
                    r.hops.outputToCommitted.cell()});
            }
        }
        if (hops.size() > 1) {
            sb.append('\n').append(MarkdownTable.of(hops, 1));
        }
        return sb.toString();
    }

    /** rnnstream's measures divided by one anchor's (NaN where either is missing). */
    public record Ratio(String anchor, double eventsPerSecond, double jobCpu, double uncommittedP99,
            double committedP99) {}

    /**
     * The median of repeated runs of one stage: each measure's own median (so the row need not be one
     * run's), named "STAGE (median of N)"; the per-second latencies are left out.
     */
    public static KafkaBenchResult median(List<KafkaBenchResult> runs) {
        KafkaBenchResult f = runs.get(0);
        return new KafkaBenchResult(f.stage + MEDIAN + runs.size() + ")", f.delivery, f.keys, f.events,
                f.measuredEvents, f.rate, med(runs, KafkaBenchResult::eventsPerSecond),
                med(runs, KafkaBenchResult::generatorEventsPerSecond), Latency.median(runs, true),
                Latency.median(runs, false), med(runs, KafkaBenchResult::jobCpuMicros),
                med(runs, KafkaBenchResult::brokerCpuMicros), med(runs, KafkaBenchResult::generatorCpuMicros),
                med(runs, KafkaBenchResult::consumerCpuMicros), med(runs, KafkaBenchResult::jobGcMillis),
                med(runs, KafkaBenchResult::jitMillis), List.of(),
                List.of(), med(runs, KafkaBenchResult::loadAverage), Hops.median(runs),
                med(runs, KafkaBenchResult::harnessCpuMicros));
    }

    private static final String MEDIAN = " (median of ";

    static <T> double med(List<T> runs, ToDoubleFunction<T> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * Whether the JVMs were still compiling through the measured part: their JIT time is more than 5 % of
     * its length. Measured on this 2-core machine: at 10,000 events/s the compilers of the four JVMs ran
     * for about two minutes, and a run measured inside them had a p99 of 1.1 s where the steady state's
     * was 20 ms.
     */
    public boolean stillCompiling() {
        double seconds = measuredEvents / eventsPerSecond;
        return !stage.contains(MEDIAN) && jitMillis > 0.05 * seconds * 1e3;
    }

    /** The stage a row is about, without " (median of N)". */
    private String stageName() {
        int i = stage.indexOf(MEDIAN);
        return i < 0 ? stage : stage.substring(0, i);
    }

    /** rnnstream ÷ each other stage: the median rows when there are any, else every rnnstream row's own. */
    public static List<Ratio> ratios(List<KafkaBenchResult> results) {
        List<KafkaBenchResult> medians = results.stream().filter(r -> r.stage.contains(MEDIAN)).toList();
        List<KafkaBenchResult> rows = medians.isEmpty() ? results : medians;
        List<Ratio> out = new ArrayList<>();
        for (KafkaBenchResult r : rows) {
            if (!r.stageName().equals(KafkaBenchStage.RNNSTREAM.label())) {
                continue;
            }
            for (KafkaBenchResult a : rows) {
                if (a != r && !a.stageName().equals(r.stageName())) {
                    out.add(new Ratio(a.stageName(), r.eventsPerSecond / a.eventsPerSecond, r.jobCpuMicros / a.jobCpuMicros,
                            r.uncommitted.p99 / a.uncommitted.p99, r.committed.p99 / a.committed.p99));
                }
            }
        }
        return out;
    }

    public String toJson() {
        return String.format(Locale.ROOT, "{\"stage\":\"%s\",\"delivery\":\"%s\",\"keys\":%d,\"events\":%d,"
                + "\"measuredEvents\":%d,\"rate\":%d,\"eventsPerSecond\":%s,\"generatorEventsPerSecond\":%s,"
                + "\"readUncommitted\":%s,\"readCommitted\":%s,\"cpuMicrosPerEvent\":{\"job\":%s,\"broker\":%s,"
                + "\"generator\":%s,\"consumer\":%s,\"harness\":%s},\"jobGcMillis\":%s,\"jitMillis\":%s,\"loadAverage\":%.2f,"
                + "\"hops\":%s,\"secondsReadUncommitted\":%s,\"secondsReadCommitted\":%s}", stage, delivery, keys, events,
                measuredEvents, rate, num(eventsPerSecond), num(generatorEventsPerSecond), uncommitted.json(),
                committed.json(), num(jobCpuMicros), num(brokerCpuMicros), num(generatorCpuMicros),
                num(consumerCpuMicros), num(harnessCpuMicros), num(jobGcMillis), num(jitMillis), loadAverage,
                hops.measured() ? hops.json() : "null", seconds(uncommittedSeconds),
                seconds(committedSeconds));
    }

    /** [[second, outputs, p50 µs, p99 µs, max µs], …] */
    private static String seconds(List<Second> s) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < s.size(); i++) {
            sb.append(i > 0 ? "," : "").append(s.get(i).json());
        }
        return sb.append(']').toString();
    }

    /** {"settings": "…", "stages": [...], "ratios": [...]} */
    public static String toJson(String settings, List<KafkaBenchResult> results) {
        StringBuilder sb = new StringBuilder("{\n  \"settings\": \"").append(settings.replace("\"", "'"))
                .append("\",\n  \"stages\": [\n");
        for (int i = 0; i < results.size(); i++) {
            sb.append("    ").append(results.get(i).toJson()).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        sb.append("  ],\n  \"ratios\": [\n");
        List<Ratio> ratios = ratios(results);
        for (int i = 0; i < ratios.size(); i++) {
            Ratio q = ratios.get(i);
            sb.append(String.format(Locale.ROOT, "    {\"rnnstreamOver\":\"%s\",\"eventsPerSecond\":%s,\"jobCpu\":%s,"
                    + "\"readUncommittedP99\":%s,\"readCommittedP99\":%s}", q.anchor(), num(q.eventsPerSecond()),
                    num(q.jobCpu()), num(q.uncommittedP99()), num(q.committedP99())))
                    .append(i + 1 < ratios.size() ? ",\n" : "\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    private static String count(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String micros(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String times(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2f×", v);
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }
}
