package io.rnnstream.bench.harness.soak;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a soak measured: the samples, where the traffic stopped, the baseline, how long state took to come
 * back to it, and the accounting of every event. Times in seconds since the traffic started.
 *
 * @param activeBackAfter seconds after the traffic stopped until activeSequences was back at its baseline
 *     (NaN: not within the drain timeout)
 * @param checkpointBackAfter the same for the checkpoint size ({@link SoakRun#backToBaseline})
 * @param answeredAfter the same for the last output and idle-timeout record reaching the consumer
 * @param endedByGenerator sequences the traffic ended with {@code end: true}
 * @param unfinished sequences the traffic left to the idle timeout (abandoned midway, or running at the stop)
 * @param outputs outputs caused by events, as the consumer read them; {@code distinct} of them different
 * @param finals idle-timeout records read
 */
public record SoakResult(SoakSpec spec, List<SoakSample> samples, double stoppedAt, SoakSample baseline,
        double baselineCheckpointKiB, double heapAfterDrainMiB, double activeBackAfter, double checkpointBackAfter,
        double answeredAfter, long sent, long acked, long endedByGenerator, long unfinished, long outputs,
        long distinct, long duplicates, long finals, long deadLetters, long foreign, long jobIdleTimeouts,
        long jobTtlExpiries, long jobDeadLetters, Path workDir) {

    /** A series' least-squares line over the steady part of the traffic, and its verdict. */
    public record Slope(String metric, int points, double mean, double perMinute, double percentPer10Min,
            SoakBound bound, boolean flat) {}

    /** Every bounded series' slope, from the end of the warm-up to the end of the traffic. */
    public List<Slope> slopes() {
        List<Slope> out = new ArrayList<>();
        for (SoakBound b : spec.bounds()) {
            List<double[]> pts = new ArrayList<>();
            for (SoakSample s : samples) {
                double v = s.value(b.metric());
                boolean harnessPause = s.forcedGc() && b.metric().equals(SoakSample.P99_LATENCY);
                if (s.phase().equals(SoakSample.TRAFFIC) && s.t() >= spec.warmup().toSeconds() && !Double.isNaN(v)
                        && !harnessPause) {
                    pts.add(new double[] {s.t() / 60, v});
                }
            }
            double[] fit = fit(pts);
            double mean = fit[2];
            double per10 = 10 * fit[1];
            double pct = mean == 0 ? Double.NaN : 100 * per10 / Math.abs(mean);
            out.add(new Slope(b.metric(), pts.size(), mean, fit[1], pct, b, pts.size() >= 3 && b.flat(per10, mean)));
        }
        return out;
    }

    /** {intercept, slope per x, mean of y}; NaN with fewer than two points. */
    static double[] fit(List<double[]> pts) {
        int n = pts.size();
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN, n == 1 ? pts.get(0)[1] : Double.NaN};
        }
        double sx = 0;
        double sy = 0;
        for (double[] p : pts) {
            sx += p[0];
            sy += p[1];
        }
        double mx = sx / n;
        double my = sy / n;
        double sxy = 0;
        double sxx = 0;
        for (double[] p : pts) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        return new double[] {my - slope * mx, slope, my};
    }

    /** Every event answered exactly once, every unfinished sequence closed by its idle-timeout record, no dead letters. */
    public boolean accounted() {
        return outputs == acked && distinct == acked && duplicates == 0 && foreign == 0 && finals == unfinished
                && deadLetters == 0 && jobDeadLetters == 0;
    }

    public boolean backToBaseline() {
        return !Double.isNaN(activeBackAfter) && !Double.isNaN(checkpointBackAfter);
    }

    public boolean flat() {
        return slopes().stream().allMatch(Slope::flat);
    }

    public double meanLoad() {
        return samples.stream().filter(s -> s.phase().equals(SoakSample.TRAFFIC)).mapToDouble(SoakSample::load)
                .average().orElse(Double.NaN);
    }

    public boolean passed() {
        return accounted() && backToBaseline() && flat();
    }
}
