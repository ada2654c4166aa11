package io.rnnstream.job.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.SourceIdle;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.TestHarnesses;
import io.rnnstream.job.TestModels;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.job.swap.SwapPolicy;
import io.rnnstream.model.ModelInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Step bundles change when events are stepped, never what comes out: the same records, dead letters
 * and watermarks, in the same order with the same timestamps, as stepping each event alone, for a
 * stream of interleaved keys with every case the rules know (early, duplicate, late and ts-only steps,
 * bad features, sequence ends, idle timeouts, restarts), through a checkpoint and restore in the middle.
 */
class StepBundleTest {
    private static final int KEYS = 23;
    private static final int EVENTS_PER_MS = 20;

    /** One call on the harness; the same script drives every run. */
    private sealed interface Op permits In, Wm, Clock, Snapshot {}

    private record In(Event e, long ts) implements Op {}

    private record Wm(long at) implements Op {}

    private record Clock(long at) implements Op {}

    private record Snapshot() implements Op {}

    private static List<Op> script(long seed, int events) {
        Random r = new Random(seed);
        int[] next = new int[KEYS];
        long ts = 1_000;
        long wm = 0;
        long clock = 0;
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            int k = r.nextInt(KEYS);
            String key = "k" + k;
            ts += r.nextInt(5);
            float[] x = TestModels.sequence(seed * 31 + i, 1)[0];
            int step = next[k];
            int roll = r.nextInt(100);
            if (roll < 4) {
                step += 1 + r.nextInt(3); // early: a gap
            } else if (roll < 7 && step > 0) {
                step -= 1; // duplicate
            } else if (roll < 9) {
                step = 0; // restart
            } else if (roll < 10) {
                x = new float[TestModels.D + 1]; // bad features
            } else if (roll < 11) {
                x[0] = Float.NaN;
            } else if (roll < 13) {
                step = 70 + r.nextInt(5); // beyond the step buffer
            }
            boolean noStep = roll >= 13 && roll < 18;
            boolean withTs = r.nextInt(10) > 0;
            Event e = new Event(key, noStep ? Event.NO_STEP : step, withTs ? ts : Event.NO_TS, x, r.nextInt(40) == 0);
            if (!noStep && step == next[k]) {
                next[k] = e.end ? 0 : step + 1;
            } else if (noStep) {
                next[k] = e.end ? 0 : next[k] + 1;
            }
            ops.add(new In(e, ts));
            if (i % EVENTS_PER_MS == EVENTS_PER_MS - 1) {
                // The wall clock moves a millisecond per 20 events: the step stage bundles while at least a
                // bundle's worth arrives per wait (1 ms), so bundles of up to 20 are stepped here.
                ops.add(new Clock(++clock));
            }
            int o = r.nextInt(100);
            if (o < 6) {
                wm = Math.max(wm, ts - 20 - r.nextInt(30));
                ops.add(new Wm(wm));
            } else if (o < 8) {
                clock += 1 + r.nextInt(400);
                ops.add(new Clock(clock));
            } else if (o < 9) {
                ops.add(new Snapshot());
            }
        }
        ops.add(new Wm(Long.MAX_VALUE));
        return ops;
    }

    private static StreamOptions options(int bundle) {
        return StreamOptions.defaults().idleTimeout(Duration.ofMillis(300)).maxBufferedSteps(8)
                .decideAtConfidence(0.6).stepBundle(bundle);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord> harness(ModelProvider model,
            int bundle, StateBackend backend, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new StepOperator(model, TestModels.ID, options(bundle),
                false), (Event e) -> e.key, Types.STRING);
        return TestHarnesses.open(h, backend, restore);
    }

    /**
     * Runs the script; at the {@code restoreAt}-th snapshot the harness is closed and a new one, stepping
     * bundles of {@code bundleAfter}, goes on from the snapshot. Returns everything that came out.
     */
    private static List<String> run(ModelProvider model, List<Op> ops, int bundle, int restoreAt, int bundleAfter,
            StateBackend backend) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        var h = harness(model, bundle, backend, null);
        long clockAt = 0;
        long lastWm = Long.MIN_VALUE;
        int snapshots = 0;
        long checkpoint = 0;
        for (Op op : ops) {
            if (op instanceof In in) {
                h.processElement(in.e(), in.ts());
            } else if (op instanceof Wm wm) {
                lastWm = wm.at();
                h.processWatermark(lastWm);
            } else if (op instanceof Clock c) {
                // A bundle steps its events when it flushes, and an event without ts arms its idle timer
                // from the wall clock then: at most --step-bundle-wait later than alone. Flushing (with
                // the same watermark again) before the clock moves makes that difference zero here.
                h.processWatermark(lastWm);
                clockAt = c.at();
                h.setProcessingTime(clockAt);
            } else {
                checkpoint++;
                h.prepareSnapshotPreBarrier(checkpoint);
                OperatorSubtaskState snap = h.snapshot(checkpoint, checkpoint);
                if (++snapshots == restoreAt) {
                    drain(h, out, dead);
                    h.close();
                    h = harness(model, bundleAfter, backend, snap);
                    h.setProcessingTime(clockAt);
                }
            }
        }
        ((StepOperator) h.getOperator()).endInput(1);
        if (bundleAfter > 1) {
            assertTrue(((StepOperator) h.getOperator()).bundledSteps() > 0, "bundles were stepped");
        }
        drain(h, out, dead);
        h.close();
        out.addAll(dead);
        return out;
    }

    /** What the harness emitted so far, in order: records and watermarks to out, dead letters to dead. */
    private static void drain(AbstractStreamOperatorTestHarness<OutputRecord> h, List<String> out, List<String> dead) {
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                out.add("watermark " + w.getTimestamp());
            } else if (o instanceof StreamRecord<?> sr) {
                OutputRecord r = (OutputRecord) sr.getValue();
                out.add((sr.hasTimestamp() ? sr.getTimestamp() : "-") + " " + r.key + " " + r.step + " last=" + r.last
                        + " reason=" + r.reason + " decision=" + r.decision + " label=" + r.labelIndex + "/" + r.labelName + " model=" + r.model + " "
                        + Arrays.toString(bits(r.output)));
            }
        }
        h.getOutput().clear();
        var q = h.getSideOutput(DeadLetters.TAG);
        if (q != null) {
            for (StreamRecord<DeadLetter> d : q) {
                dead.add("dead " + (d.hasTimestamp() ? d.getTimestamp() : "-") + " " + d.getValue().key + " "
                        + d.getValue().error);
            }
            q.clear();
        }
    }

    /** Equal lists, or the first place they differ with a little context (the lists are long). */
    private static void same(List<String> expected, List<String> actual, String what) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                int from = Math.max(0, i - 3);
                throw new AssertionError(what + ": line " + i + " differs\nexpected " + expected.subList(from,
                        Math.min(expected.size(), i + 3)) + "\nactual   " + actual.subList(from, Math.min(actual.size(),
                        i + 3)));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": as many lines");
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @Test
    void bundlesGiveWhatSteppingAloneGives() throws Exception {
        for (ModelProvider p : List.<ModelProvider>of(() -> TestModels.simpleRnn(1), () -> TestModels.lstm(2),
                () -> TestModels.stacked(3), () -> TestModels.masked(4))) {
            List<Op> ops = script(p.get().describe().hashCode(), 3_000);
            List<String> alone = run(p, ops, 1, 0, 1, new HashMapStateBackend());
            assertTrue(alone.size() > 3_000, "records, dead letters and watermarks: " + alone.size());
            assertTrue(alone.stream().anyMatch(s -> s.startsWith("dead")), "the script makes dead letters");
            assertTrue(alone.stream().anyMatch(s -> s.contains("reason=idle-timeout")), "and idle timeouts");
            for (int bundle : new int[] {2, 5, 8, 16}) {
                same(alone, run(p, ops, bundle, 0, bundle, new HashMapStateBackend()),
                        p.get().describe() + ", bundles of " + bundle);
            }
            // A checkpoint taken with bundles restores into a job without them, and the other way round.
            // (Beside a run restored at the same point: timers of one timestamp fire in another order
            // after any restore.)
            List<String> restored = run(p, ops, 1, 3, 1, new HashMapStateBackend());
            same(restored, run(p, ops, 8, 3, 1, new HashMapStateBackend()), "bundles, then none");
            same(restored, run(p, ops, 1, 3, 8, new HashMapStateBackend()), "none, then bundles");
        }
    }

    /** A model update waits for the bundle: the events that came before it are stepped before it applies. */
    @Test
    void modelUpdatesComeAfterTheEventsThatCameBeforeThem() throws Exception {
        for (SwapPolicy policy : List.of(SwapPolicy.NEW_SEQUENCES, SwapPolicy.SWITCH_CARRY, SwapPolicy.SWITCH_RESET)) {
            List<String> alone = withUpdates(1, policy);
            assertTrue(alone.stream().anyMatch(l -> l.contains("model=upd@3")), "updates were served");
            same(alone, withUpdates(8, policy), policy + ", bundles of 8");
        }
    }

    private static List<String> withUpdates(int bundle, SwapPolicy policy) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord>(
                new StepOperator(() -> TestModels.lstm(2), TestModels.ID, options(bundle).swapPolicy(policy), true),
                (Event e) -> e.key, (ModelUpdate u) -> "", Types.STRING);
        TestHarnesses.open(h, null, null);
        List<String> out = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        long lastWm = Long.MIN_VALUE;
        int version = 1;
        int n = 0;
        for (Op op : script(11, 2_000)) {
            if (op instanceof In in) {
                h.processElement1(new StreamRecord<>(in.e(), in.ts()));
                if (++n % 300 == 0) {
                    // Same shape (LSTM 3 → 6), so switch-carry takes it too; effective from the stream's time.
                    var m = TestModels.lstm(100 + version);
                    m = m.withInfo(new ModelInfo("upd", ++version, m.info().classNames(), "test"));
                    h.processElement2(new StreamRecord<>(ModelUpdate.of(m, in.ts())));
                }
            } else if (op instanceof Wm wm) {
                lastWm = wm.at();
                h.processWatermark1(new Watermark(lastWm));
            } else if (op instanceof Clock c) {
                h.processWatermark1(new Watermark(lastWm));
                h.setProcessingTime(c.at());
            }
        }
        ((StepOperator) h.getOperator()).endInput(1);
        if (bundle > 1 && !policy.switchesRunning()) {
            // (Under switch-carry and switch-reset each step may change its model: those step alone.)
            assertTrue(((StepOperator) h.getOperator()).bundledSteps() > 500, "bundles were stepped");
        }
        drain(h, out, dead);
        out.addAll(dead);
        out.addAll(TestHarnesses.sideOutput(h, StepOperator.MODEL_STATUS).stream().map(st -> "status " + st.json())
                .toList());
        h.close();
        return out;
    }

    @Test
    void onRocksDbToo() throws Exception {
        ModelProvider p = () -> TestModels.stacked(3);
        List<Op> ops = script(7, 1_500);
        List<String> alone = run(p, ops, 1, 2, 1, new EmbeddedRocksDBStateBackend());
        same(alone, run(p, ops, 8, 2, 8, new EmbeddedRocksDBStateBackend()), "RocksDB, bundles of 8");
    }

    @Test
    void nextStepsOfDifferentKeysAreSteppedTogether() throws Exception {
        var h = harness(() -> TestModels.stacked(3), 8, null, null);
        float[][] x = TestModels.sequence(5, 10);
        h.setProcessingTime(0);
        for (int t = 0; t < 10; t++) {
            for (int k = 0; k < 8; k++) {
                h.processElement(new Event("k" + k, t, Event.NO_TS, x[t], false), 0);
            }
            if (t == 0) {
                h.setProcessingTime(1); // a bundle's worth of events in the first ms: bundling from now on
            }
        }
        ((StepOperator) h.getOperator()).endInput(1);
        assertEquals(80 + 8, h.extractOutputValues().size(), "80 steps and 8 end-of-input finals");
        // Every step after the first of each sequence (a start takes the core's own path).
        assertEquals(72, ((StepOperator) h.getOperator()).bundledSteps());
        h.close();
    }

    /**
     * Events are stepped as they come until a wait (1 ms) has seen a bundle's worth of them; then
     * they wait for their bundle, never longer than the wait; when the rate falls below a bundle per
     * wait, they are stepped as they come again.
     */
    @Test
    void bundlesOnlyWhileEventsComeFastEnoughToFillThem() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), 8, null, null);
        float[][] x = TestModels.sequence(1, 30);
        h.setProcessingTime(0);
        for (int t = 0; t < 9; t++) {
            h.processElement(new Event("k" + t, 0, Event.NO_TS, x[t], false), 0);
            assertEquals(1 + t, h.extractOutputValues().size(), "stepped on arrival");
        }
        h.setProcessingTime(1); // 9 events in the last ms: bundling
        h.processElement(new Event("a", 0, Event.NO_TS, x[10], false), 0);
        h.processElement(new Event("b", 0, Event.NO_TS, x[11], false), 0);
        assertEquals(9, h.extractOutputValues().size(), "held for the bundle");
        h.setProcessingTime(2); // the bound: stepped; and 2 events in the last ms: no more bundling
        assertEquals(11, h.extractOutputValues().size());
        h.processElement(new Event("c", 0, Event.NO_TS, x[12], false), 0);
        assertEquals(12, h.extractOutputValues().size(), "stepped on arrival again");
        h.close();
    }

    /**
     * An idle subtask stops the bundles' tick after {@link StepOperator#IDLE_TICKS} empty waits (an idle
     * job would otherwise wake its task every millisecond); the next event starts it again, and bundling
     * resumes as after open(): once a wait has seen a bundle's worth of events.
     */
    @Test
    void anIdleSubtaskStopsTheTickAndTheNextEventStartsIt() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), 8, null, null);
        StepOperator op = (StepOperator) h.getOperator();
        float[][] x = TestModels.sequence(1, 30);
        h.setProcessingTime(0);
        assertFalse(op.ticking(), "no events yet, no tick");
        h.processElement(new Event("a", 0, Event.NO_TS, x[0], false), 0);
        assertTrue(op.ticking());
        for (int ms = 1; ms <= StepOperator.IDLE_TICKS; ms++) {
            h.setProcessingTime(ms);
        }
        assertTrue(op.ticking(), "one wait saw the event, then " + (StepOperator.IDLE_TICKS - 1) + " empty ones");
        long t = StepOperator.IDLE_TICKS + 1;
        h.setProcessingTime(t);
        assertFalse(op.ticking(), StepOperator.IDLE_TICKS + " empty waits in a row");
        for (int k = 0; k < 8; k++) {
            h.processElement(new Event("k" + k, 0, Event.NO_TS, x[1 + k], false), 0);
        }
        assertTrue(op.ticking());
        assertEquals(1 + 8, h.extractOutputValues().size(), "stepped on arrival");
        h.setProcessingTime(t + 1); // a bundle's worth in the last wait: bundling
        h.processElement(new Event("b", 0, Event.NO_TS, x[10], false), 0);
        h.processElement(new Event("c", 0, Event.NO_TS, x[11], false), 0);
        assertEquals(1 + 8, h.extractOutputValues().size(), "held for the bundle");
        h.setProcessingTime(t + 2); // the bound
        assertEquals(1 + 8 + 2, h.extractOutputValues().size());
        h.close();
    }

    /**
     * Chained to a source that says when it runs dry ({@link SourceIdle}), the step bundles every event and
     * steps the bundle when the source has nothing more to give: no tick, no rate to watch.
     */
    @Test
    void chainedToASignallingSourceTheBundleLeavesWhenTheSourceRunsDry() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), 8, null, null);
        StepOperator op = (StepOperator) h.getOperator();
        float[][] x = TestModels.sequence(1, 30);
        h.setProcessingTime(0);
        h.processElement(new Event("a", 0, Event.NO_TS, x[0], false), 0);
        assertTrue(op.ticking(), "no signal yet: the tick bounds the wait");
        assertEquals(1, h.extractOutputValues().size(), "stepped on arrival");
        SourceIdle.signalOnThisThread();
        assertFalse(op.ticking(), "the source's signal stands in for the tick");
        for (int k = 0; k < 3; k++) {
            h.processElement(new Event("k" + k, 0, Event.NO_TS, x[1 + k], false), 0);
        }
        assertEquals(1, h.extractOutputValues().size(), "held for the bundle without a wait having seen a rate");
        assertFalse(op.ticking());
        SourceIdle.signalOnThisThread();
        assertEquals(4, h.extractOutputValues().size(), "stepped when the source ran dry");
        for (int k = 0; k < 8; k++) {
            h.processElement(new Event("m" + k, 0, Event.NO_TS, x[4 + k], false), 0);
        }
        assertEquals(12, h.extractOutputValues().size(), "a full bundle leaves at once");
        h.close();
        // Closed, it no longer listens: a signal on this thread reaches nothing of it.
        SourceIdle.signalOnThisThread();
    }

    @Test
    void bundleSizesOutOfRangeAreRefusedWithTheOptionsName() {
        var e = assertThrows(IllegalArgumentException.class, () -> StreamOptions.defaults().stepBundle(0));
        assertTrue(e.getMessage().startsWith("--step-bundle must be 1 (off) to 256"), e.getMessage());
        var w = assertThrows(IllegalArgumentException.class,
                () -> StreamOptions.defaults().stepBundleWait(Duration.ZERO));
        assertTrue(w.getMessage().startsWith("--step-bundle-wait must be 1ms or more"), w.getMessage());
    }
}
