package io.rnnstream.bench.harness.kafka;

import io.rnnstream.bench.harness.MarkdownTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Issue 14's goals for the Kafka path, read off the benchmark's rows: each goal, what it asks, what was
 * measured and whether that meets it. A goal whose stage did not run says so instead of passing.
 */
public final class KafkaGoals {
    private KafkaGoals() {}

    /** One goal: what it asks, what was measured, and whether that meets it (empty: not measured). */
    public record Goal(String goal, String target, String measured, Optional<Boolean> met) {}

    /**
     * @param unpaced a run of all stages, unpaced, JSON (for throughput, the anchor ratio and CPU per event)
     * @param pacedAtLeastOnce a run at 10,000 events/s, at-least-once (for processing latency)
     * @param pacedExactlyOnce a run at 10,000 events/s, exactly-once, checkpointing every {@code checkpointMs}
     */
    public static List<Goal> evaluate(List<KafkaBenchResult> unpaced, List<KafkaBenchResult> pacedAtLeastOnce,
            List<KafkaBenchResult> pacedExactlyOnce, long checkpointMs) {
        List<Goal> goals = new ArrayList<>();
        Optional<KafkaBenchResult> job = row(unpaced, KafkaBenchStage.RNNSTREAM);
        Optional<KafkaBenchResult> passthrough = row(unpaced, KafkaBenchStage.PASSTHROUGH);
        Optional<KafkaBenchResult> engine = row(unpaced, KafkaBenchStage.ENGINE);
        goals.add(goal("unpaced JSON throughput", "≥ 60,000 events/s", job.map(KafkaBenchResult::eventsPerSecond),
                v -> v >= 60_000, "%,.0f events/s"));
        goals.add(goal("unpaced, ÷ anchor (b) passthrough", "≥ 80 %",
                both(job, passthrough, (j, p) -> j.eventsPerSecond() / p.eventsPerSecond()), v -> v >= 0.8,
                "%.0f %%", 100));
        goals.add(goal("job CPU per event ÷ engine's", "≤ 4×",
                both(job, engine, (j, e) -> j.jobCpuMicros() / e.jobCpuMicros()), v -> v <= 4, "%.1f×"));
        Optional<KafkaBenchResult> paced = row(pacedAtLeastOnce, KafkaBenchStage.RNNSTREAM);
        goals.add(goal("paced 10k/s at-least-once, read_uncommitted p50", "≤ 5 ms",
                paced.map(r -> r.uncommitted().p50()), v -> v <= 5, "%.1f ms"));
        goals.add(withAnchors(goal("paced 10k/s at-least-once, read_uncommitted p99", "≤ 20 ms",
                paced.map(r -> r.uncommitted().p99()), v -> v <= 20, "%.1f ms"), pacedAtLeastOnce));
        Optional<KafkaBenchResult> eo = row(pacedExactlyOnce, KafkaBenchStage.RNNSTREAM);
        goals.add(goal("paced 10k/s exactly-once, read_committed p99", "≤ " + (checkpointMs + 50) + " ms",
                eo.map(r -> r.committed().p99()), v -> v <= checkpointMs + 50, "%.0f ms"));
        return goals;
    }

    /**
     * The same run's anchors beside a latency: a p99 that Kafka alone or the passthrough (the same source and
     * sink, no model) does not reach on the machine at hand is that machine's floor, not the job's.
     */
    private static Goal withAnchors(Goal g, List<KafkaBenchResult> run) {
        StringBuilder sb = new StringBuilder();
        for (KafkaBenchStage a : List.of(KafkaBenchStage.KAFKA, KafkaBenchStage.PASSTHROUGH)) {
            row(run, a).filter(r -> r.uncommitted().count() > 0).ifPresent(r -> sb.append(sb.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.1f", a.label(), r.uncommitted().p99())));
        }
        return g.met().isEmpty() || sb.length() == 0 ? g
                : new Goal(g.goal(), g.target(), g.measured() + " (same run: " + sb + ")", g.met());
    }

    public static String table(List<Goal> goals) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"goal", "target", "measured", "met"});
        for (Goal g : goals) {
            rows.add(new String[] {g.goal(), g.target(), g.measured(),
                g.met().map(m -> m ? "yes" : "no").orElse("not measured")});
        }
        return MarkdownTable.of(rows, 2);
    }

    /** The stage's row: its median row when the run was repeated, else its only row. */
    static Optional<KafkaBenchResult> row(List<KafkaBenchResult> results, KafkaBenchStage stage) {
        Optional<KafkaBenchResult> median = results.stream()
                .filter(r -> r.stage().startsWith(stage.label() + " (median")).findFirst();
        return median.isPresent() ? median : results.stream().filter(r -> r.stage().equals(stage.label())).findFirst();
    }

    private static Optional<Double> both(Optional<KafkaBenchResult> a, Optional<KafkaBenchResult> b,
            java.util.function.BiFunction<KafkaBenchResult, KafkaBenchResult, Double> f) {
        return a.isPresent() && b.isPresent() ? Optional.of(f.apply(a.get(), b.get())) : Optional.empty();
    }

    private static Goal goal(String goal, String target, Optional<Double> v,
            java.util.function.DoublePredicate meets, String format) {
        return goal(goal, target, v, meets, format, 1);
    }

    private static Goal goal(String goal, String target, Optional<Double> v,
            java.util.function.DoublePredicate meets, String format, double scale) {
        if (v.isEmpty() || Double.isNaN(v.get())) {
            return new Goal(goal, target, "-", Optional.empty());
        }
        return new Goal(goal, target, String.format(Locale.ROOT, format, v.get() * scale),
                Optional.of(meets.test(v.get())));
    }
}
