package io.rnnstream.bench.harness.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.trainer.Plot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** A soak's report: soak.json (every sample), soak.md (the verdict, slopes, accounting) and a PNG per series. */
public final class SoakReport {
    /** The charts, by file name: what a reader of docs/RELIABILITY.md sees. */
    public static final List<String> PLOTS = List.of("soak-heap.png", "soak-rss.png", "soak-active-sequences.png",
            "soak-checkpoint-size.png", "soak-checkpoint-duration.png", "soak-latency.png", "soak-throughput.png");

    private SoakReport() {}

    /** Writes the report into {@code dir}; returns the Markdown. */
    public static String write(SoakResult r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("soak.json"), json(r), StandardCharsets.UTF_8);
        plots(r, dir);
        String md = markdown(r);
        Files.writeString(dir.resolve("soak.md"), md, StandardCharsets.UTF_8);
        return md;
    }

    public static String json(SoakResult r) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec", r.spec().describe());
        m.put("passed", r.passed());
        m.put("flat", r.flat());
        m.put("backToBaseline", r.backToBaseline());
        m.put("accounted", r.accounted());
        m.put("meanLoad", nanToNull(r.meanLoad()));
        m.put("trafficSeconds", r.stoppedAt());
        List<Map<String, Object>> slopes = new ArrayList<>();
        for (SoakResult.Slope s : r.slopes()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("metric", s.metric());
            o.put("points", s.points());
            o.put("mean", nanToNull(s.mean()));
            o.put("slopePerMinute", nanToNull(s.perMinute()));
            o.put("percentPer10Minutes", nanToNull(s.percentPer10Min()));
            o.put("boundPercentPer10Minutes", s.bound().percentPer10Min());
            o.put("boundAbsolutePer10Minutes", s.bound().absolutePer10Min());
            o.put("flat", s.flat());
            slopes.add(o);
        }
        m.put("slopes", slopes);
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("activeSequences", r.baseline().activeSequences());
        base.put("checkpointKiB", r.baselineCheckpointKiB());
        base.put("heapAfterGcMiB", nanToNull(r.baseline().heapAfterGcMiB()));
        base.put("rssMiB", nanToNull(r.baseline().rssMiB()));
        base.put("heapAfterGcAfterDrainMiB", nanToNull(r.heapAfterDrainMiB()));
        base.put("activeBackAfterSeconds", nanToNull(r.activeBackAfter()));
        base.put("checkpointBackAfterSeconds", nanToNull(r.checkpointBackAfter()));
        base.put("allAnsweredAfterSeconds", nanToNull(r.answeredAfter()));
        m.put("baseline", base);
        Map<String, Object> acc = new LinkedHashMap<>();
        acc.put("sent", r.sent());
        acc.put("acknowledged", r.acked());
        acc.put("outputs", r.outputs());
        acc.put("distinct", r.distinct());
        acc.put("duplicates", r.duplicates());
        acc.put("sequencesEnded", r.endedByGenerator());
        acc.put("sequencesLeftToIdleTimeout", r.unfinished());
        acc.put("idleTimeoutRecords", r.finals());
        acc.put("jobIdleTimeouts", r.jobIdleTimeouts());
        acc.put("jobTtlExpiries", r.jobTtlExpiries());
        acc.put("deadLetters", r.deadLetters());
        acc.put("jobDeadLetters", r.jobDeadLetters());
        acc.put("foreign", r.foreign());
        m.put("accounting", acc);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (SoakSample s : r.samples()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("t", s.t());
            o.put("phase", s.phase());
            o.put("heapAfterGcMiB", nanToNull(s.heapAfterGcMiB()));
            o.put("rssMiB", nanToNull(s.rssMiB()));
            o.put("activeSequences", nanToNull(s.activeSequences()));
            o.put("checkpointKiB", nanToNull(s.checkpointSizeKiB()));
            o.put("checkpointMs", nanToNull(s.checkpointMillis()));
            o.put("p50Ms", nanToNull(s.p50Millis()));
            o.put("p99Ms", nanToNull(s.p99Millis()));
            o.put("maxMs", nanToNull(s.maxMillis()));
            o.put("eventsInPerSecond", nanToNull(s.eventsInPerSecond()));
            o.put("outputsPerSecond", nanToNull(s.outputsPerSecond()));
            o.put("load", nanToNull(s.load()));
            o.put("forcedGcInInterval", s.forcedGc());
            samples.add(o);
        }
        m.put("samples", samples);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n";
    }

    public static String markdown(SoakResult r) {
        StringBuilder sb = new StringBuilder();
        SoakSpec spec = r.spec();
        sb.append("# Soak: ").append(r.passed() ? "PASSED" : "FAILED").append("\n\n");
        sb.append(spec.describe()).append(String.format(Locale.ROOT, "; machine load %.2f on average while the"
                + " traffic ran (%d cores).%n%n", r.meanLoad(), Runtime.getRuntime().availableProcessors()));
        sb.append(String.format(Locale.ROOT, "Slopes over minutes %.1f–%.1f of the traffic (least squares, per"
                + " sample; \"flat\": slope × 10 min grows by at most the bound's share of the mean, or its"
                + " absolute floor; falling passes):%n%n",
                spec.warmup().toSeconds() / 60.0, r.stoppedAt() / 60));
        sb.append("| series | points | mean | slope / min | % of mean / 10 min | bound / 10 min | flat |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (SoakResult.Slope s : r.slopes()) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %+.3f | %+.2f %% | %.0f %% or %.0f | %s |%n",
                    s.metric(), s.points(), s.mean(), s.perMinute(), s.percentPer10Min(), s.bound().percentPer10Min(),
                    s.bound().absolutePer10Min(), s.flat() ? "yes" : "**no**"));
        }
        sb.append(String.format(Locale.ROOT, "%nAfter the traffic stopped (baseline: the idle job before it):%n%n"));
        sb.append("| series | baseline | end of traffic | back at baseline after |\n|---|---:|---:|---:|\n");
        SoakSample last = lastOf(r, SoakSample.TRAFFIC);
        sb.append(String.format(Locale.ROOT, "| active sequences | %.0f | %.0f | %s |%n", r.baseline().activeSequences(),
                last == null ? Double.NaN : last.activeSequences(), secs(r.activeBackAfter())));
        sb.append(String.format(Locale.ROOT, "| checkpoint size (KiB) | %.1f | %.1f | %s |%n", r.baselineCheckpointKiB(),
                last == null ? Double.NaN : last.checkpointSizeKiB(), secs(r.checkpointBackAfter())));
        sb.append(String.format(Locale.ROOT, "| heap after full GC (MiB) | %.1f | %.1f | %.1f after the drain |%n",
                r.baseline().heapAfterGcMiB(), lastHeap(r), r.heapAfterDrainMiB()));
        sb.append(String.format(Locale.ROOT, "%nAccounting: %,d events sent (%,d acknowledged), %,d outputs (%,d distinct"
                + " key/step, %,d duplicates, all in %s after the stop); %,d sequences ended with `end: true`, %,d left to"
                + " the idle timeout and %,d idle-timeout records (the job counted %,d; TTL expiries %,d); %,d dead"
                + " letters. %s%n", r.sent(), r.acked(), r.outputs(), r.distinct(), r.duplicates(),
                secs(r.answeredAfter()), r.endedByGenerator(), r.unfinished(), r.finals(), r.jobIdleTimeouts(),
                r.jobTtlExpiries(), r.deadLetters() + r.jobDeadLetters(),
                r.accounted() ? "Every event answered once." : "**The counts do not reconcile.**"));
        sb.append("\n");
        for (String p : PLOTS) {
            sb.append("![").append(p).append("](").append(p).append(")\n");
        }
        return sb.toString();
    }

    private static SoakSample lastOf(SoakResult r, String phase) {
        SoakSample last = null;
        for (SoakSample s : r.samples()) {
            if (s.phase().equals(phase)) {
                last = s;
            }
        }
        return last;
    }

    private static double lastHeap(SoakResult r) {
        double h = Double.NaN;
        for (SoakSample s : r.samples()) {
            if (s.phase().equals(SoakSample.TRAFFIC) && !Double.isNaN(s.heapAfterGcMiB())) {
                h = s.heapAfterGcMiB();
            }
        }
        return h;
    }

    private static String secs(double s) {
        return Double.isNaN(s) ? "**not within the drain timeout**" : String.format(Locale.ROOT, "%.0f s", s);
    }

    private static Object nanToNull(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    static void plots(SoakResult r, Path dir) throws IOException {
        Map<String, SoakResult.Slope> slopes = new LinkedHashMap<>();
        r.slopes().forEach(s -> slopes.put(s.metric(), s));
        chart(r, dir.resolve(PLOTS.get(0)), "Job heap after a full GC", "MiB", slopes.get(SoakSample.HEAP_AFTER_GC),
                List.of(named("heap after full GC", SoakSample::heapAfterGcMiB)));
        chart(r, dir.resolve(PLOTS.get(1)), "Job process resident set (VmRSS)", "MiB", slopes.get(SoakSample.RSS),
                List.of(named("RSS", SoakSample::rssMiB)));
        chart(r, dir.resolve(PLOTS.get(2)), "Active sequences (step operator gauge)", "sequences",
                slopes.get(SoakSample.ACTIVE_SEQUENCES), List.of(named("activeSequences", SoakSample::activeSequences)));
        chart(r, dir.resolve(PLOTS.get(3)), "Latest completed checkpoint: state size", "KiB",
                slopes.get(SoakSample.CHECKPOINT_SIZE), List.of(named("state size", SoakSample::checkpointSizeKiB)));
        chart(r, dir.resolve(PLOTS.get(4)), "Latest completed checkpoint: duration", "ms",
                slopes.get(SoakSample.CHECKPOINT_DURATION), List.of(named("end to end", SoakSample::checkpointMillis)));
        // The first seconds (the JIT, the key population arriving) would set the scale: the steady part's
        // worst sets it instead, and earlier points are drawn at the top.
        double top = r.samples().stream().filter(s -> s.phase().equals(SoakSample.TRAFFIC)
                && s.t() >= r.spec().warmup().toSeconds() && !Double.isNaN(s.p99Millis()))
                .mapToDouble(SoakSample::p99Millis).max().orElse(Double.NaN);
        chart(r, dir.resolve(PLOTS.get(5)), "Latency, producer timestamp to consumer, per sample", "ms",
                Double.isNaN(top) ? null : 1.1 * top, slopes.get(SoakSample.P99_LATENCY), List.of(
                        named("p99", s -> s.forcedGc() ? Double.NaN : s.p99Millis()),
                        named("p99, harness's full GC in it", s -> s.forcedGc() ? s.p99Millis() : Double.NaN),
                        named("p50", SoakSample::p50Millis)));
        chart(r, dir.resolve(PLOTS.get(6)), "Throughput", "per second", null, List.of(
                named("events into the step operator", SoakSample::eventsInPerSecond),
                named("outputs read", SoakSample::outputsPerSecond)));
    }

    private record Named(String name, ToDoubleFunction<SoakSample> f) {}

    private static Named named(String name, ToDoubleFunction<SoakSample> f) {
        return new Named(name, f);
    }

    /** The series over minutes since the traffic started, the fitted line, and where the traffic stopped. */
    private static void chart(SoakResult r, Path file, String title, String unit, SoakResult.Slope slope,
            List<Named> series) throws IOException {
        chart(r, file, title, unit, null, slope, series);
    }

    private static void chart(SoakResult r, Path file, String title, String unit, Double yTo, SoakResult.Slope slope,
            List<Named> series) throws IOException {
        List<Plot.Series> lines = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Named n : series) {
            double[] x = new double[r.samples().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                SoakSample s = r.samples().get(i);
                x[i] = s.t() / 60;
                y[i] = n.f().applyAsDouble(s);
                if (!Double.isNaN(y[i])) {
                    lo = Math.min(lo, y[i]);
                    hi = Math.max(hi, y[i]);
                }
            }
            lines.add(new Plot.Series(n.name(), x, y));
        }
        if (slope != null && !Double.isNaN(slope.perMinute())) {
            double x0 = r.spec().warmup().toSeconds() / 60.0;
            double x1 = r.stoppedAt() / 60;
            double mid = (x0 + x1) / 2;
            lines.add(new Plot.Series(String.format(Locale.ROOT, "fit: %+.3g %s/min", slope.perMinute(), unit),
                    new double[] {x0, x1}, new double[] {slope.mean() + slope.perMinute() * (x0 - mid),
                        slope.mean() + slope.perMinute() * (x1 - mid)}));
        }
        if (lo <= hi) {
            lines.add(new Plot.Series("traffic stops", new double[] {r.stoppedAt() / 60, r.stoppedAt() / 60},
                    new double[] {lo, hi}));
        }
        Plot.Lines chart = Plot.lines(title).xAxis("minutes since the traffic started").yAxis(unit).yFrom(0)
                .legendBelow();
        if (yTo != null) {
            chart.yTo(yTo);
        }
        chart.series(lines).writeTo(file);
    }
}
