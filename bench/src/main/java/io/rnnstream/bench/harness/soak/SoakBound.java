package io.rnnstream.bench.harness.soak;

import java.util.List;

/**
 * When a series counts as flat: its least-squares slope over the steady part, per 10 minutes, grows by
 * at most {@code percentPer10Min} of the series' mean, or at most {@code absolutePer10Min} (in the series'
 * unit), whichever is larger. One-sided, since a soak looks for growth (a leak, a queue that builds up):
 * a series that falls, as the p99 did when the other sessions' load on the machine fell, passes. The
 * absolute floor keeps a series near zero (a p99 of 3 ms, a few hundred keys) from failing on noise that
 * is a large share of a small number.
 */
public record SoakBound(String metric, double percentPer10Min, double absolutePer10Min) {

    /** The long form's bounds; docs/RELIABILITY.md ("Soak") says why these. */
    static List<SoakBound> defaults() {
        return List.of(
                new SoakBound(SoakSample.HEAP_AFTER_GC, 2, 2),
                new SoakBound(SoakSample.RSS, 2, 8),
                new SoakBound(SoakSample.ACTIVE_SEQUENCES, 2, 10),
                new SoakBound(SoakSample.CHECKPOINT_SIZE, 2, 16),
                new SoakBound(SoakSample.CHECKPOINT_DURATION, 20, 50),
                new SoakBound(SoakSample.P99_LATENCY, 10, 2));
    }

    /** Whether {@code slopePer10Min} of a series whose mean is {@code mean} is flat. */
    boolean flat(double slopePer10Min, double mean) {
        return slopePer10Min <= Math.max(Math.abs(mean) * percentPer10Min / 100, absolutePer10Min);
    }
}
