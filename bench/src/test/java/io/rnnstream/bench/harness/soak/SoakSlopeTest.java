package io.rnnstream.bench.harness.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict's arithmetic: the fitted slope, the warm-up and the harness's own GC pauses left out, the bounds. */
class SoakSlopeTest {
    @Test
    void fitsALine() {
        double[] f = SoakResult.fit(List.of(new double[] {0, 1}, new double[] {1, 3}, new double[] {2, 5}));
        assertEquals(1, f[0], 1e-12);
        assertEquals(2, f[1], 1e-12);
        assertEquals(3, f[2], 1e-12);
        assertTrue(Double.isNaN(SoakResult.fit(List.of(new double[] {0, 1}))[1]));
    }

    @Test
    void flatIsAShareOfTheMeanOrTheAbsoluteFloor() {
        SoakBound heap = new SoakBound(SoakSample.HEAP_AFTER_GC, 2, 2);
        assertTrue(heap.flat(1.9, 10), "under the 2 MiB floor");
        assertTrue(heap.flat(-3.9, 200), "under 2 % of 200 MiB");
        assertFalse(heap.flat(4.1, 200));
        assertTrue(heap.flat(-50, 200), "falling is not growing");
    }

    @Test
    void slopesLeaveOutTheWarmUpAndTheIntervalsOfTheHarnesssFullGc() {
        SoakSpec spec = SoakSpec.builder().traffic(Duration.ofMinutes(10)).warmup(Duration.ofMinutes(2)).build();
        List<SoakSample> samples = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            double t = 10 * i;
            // A leak of 1 MiB a minute, and a warm-up whose p99 falls from 500 ms; every sixth interval paused.
            boolean paused = i % 6 == 1;
            double p99 = t < 120 ? 500 - 4 * t : paused ? 400 : 5;
            samples.add(new SoakSample(t, SoakSample.TRAFFIC, 40 + t / 60, 600, 1000, 300, 20, 2, p99, p99, 500, 500,
                    1, paused));
        }
        SoakResult r = new SoakResult(spec, samples, 600, samples.get(0), 18, 40, 20, 20, 5, 1, 1, 0, 0, 1, 1, 0, 0,
                0, 0, 0, 0, 0, Path.of("."));
        SoakResult.Slope heap = r.slopes().stream().filter(s -> s.metric().equals(SoakSample.HEAP_AFTER_GC))
                .findFirst().orElseThrow();
        assertEquals(1, heap.perMinute(), 1e-9);
        assertFalse(heap.flat(), "10 MiB per 10 minutes of a ~45 MiB heap is a leak");
        SoakResult.Slope p99 = r.slopes().stream().filter(s -> s.metric().equals(SoakSample.P99_LATENCY))
                .findFirst().orElseThrow();
        assertEquals(0, p99.perMinute(), 1e-9);
        assertTrue(p99.flat());
        assertTrue(r.accounted());
        assertFalse(r.passed());
    }
}
