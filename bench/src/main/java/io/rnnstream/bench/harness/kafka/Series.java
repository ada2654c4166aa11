package io.rnnstream.bench.harness.kafka;

import java.util.Arrays;

/**
 * Points (x, y) in the order they were taken, x never decreasing (a count, or the wall clock), read
 * back by linear interpolation: the CPU time at the moment a count was reached, say. Safe for one
 * writer and readers after it is done.
 */
final class Series {
    private long[] xs = new long[256];
    private long[] ys = new long[256];
    private int n;

    synchronized void add(long x, long y) {
        if (n == xs.length) {
            xs = Arrays.copyOf(xs, 2 * n);
            ys = Arrays.copyOf(ys, 2 * n);
        }
        xs[n] = x;
        ys[n] = y;
        n++;
    }

    synchronized boolean isEmpty() {
        return n == 0;
    }

    /**
     * y where x first reaches {@code x}, interpolated between the points around it; NaN when the series
     * never reached it or has no point before it.
     */
    synchronized double at(double x) {
        for (int i = 0; i < n; i++) {
            if (xs[i] >= x) {
                if (xs[i] == x || i == 0) {
                    return xs[i] == x ? ys[i] : Double.NaN;
                }
                double f = (x - xs[i - 1]) / (double) (xs[i] - xs[i - 1]);
                return ys[i - 1] + f * (ys[i] - ys[i - 1]);
            }
        }
        return Double.NaN;
    }
}
