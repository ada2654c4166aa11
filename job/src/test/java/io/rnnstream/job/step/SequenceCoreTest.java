package io.rnnstream.job.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.ModelAssignment;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.TestModels;
import io.rnnstream.job.swap.ModelStatus;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.job.swap.ServedModels;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every per-key rule of docs/STREAMING.md on the {@link SequenceCore} alone: no Flink, state in maps,
 * clocks moved by hand ({@link CoreHarness}). The operator's harness tests (StepOperatorTest) check
 * that Flink's state, timers and restores keep to the same rules.
 */
class SequenceCoreTest {
    private static final Model MODEL = TestModels.simpleRnn(1);
    private static final float[][] X = TestModels.sequence(7, 12);
    private static final float[][] FORWARD = Forward.sequences(MODEL, X);

    private static CoreHarness core(StreamOptions opts) {
        return new CoreHarness(MODEL, TestModels.ID, opts);
    }

    private static Event ev(String key, int step) {
        return new Event(key, step, Event.NO_TS, X[Math.max(step, 0)], false);
    }

    private static Event ev(String key, int step, long ts) {
        return new Event(key, step, ts, X[Math.max(step, 0)], false);
    }

    private static Event last(Event e) {
        e.end = true;
        return e;
    }

    private static void assertSteps(List<OutputRecord> out, int... steps) {
        assertEquals(steps.length, out.size(), out.toString());
        for (int i = 0; i < steps.length; i++) {
            assertEquals(steps[i], out.get(i).step);
            if (out.get(i).reason == null) {
                assertArrayEquals(FORWARD[steps[i]], out.get(i).output, "step " + steps[i] + " as Forward gives it");
            }
        }
    }

    // Ordering by step

    @Test
    void theExpectedStepAppliesAtOnceThenTheBufferedStepsThatNowFollow() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("k", 0)).event(ev("k", 2)).event(ev("k", 3));
        assertSteps(c.outputs("k"), 0);
        c.event(ev("k", 1));
        assertSteps(c.outputs("k"), 0, 1, 2, 3);
        assertEquals(List.of(), c.deadLetters);
    }

    @Test
    void anEarlyStepIsBufferedAtMostMaxBufferedStepsAhead() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().maxBufferedSteps(2));
        c.event(ev("k", 0)).event(ev("k", 3)).event(ev("k", 4));
        assertEquals(List.of("step 4 is beyond the buffer: waiting for step 1, and at most 2 steps ahead of it are kept"
                + " (--max-buffered-steps)"), c.deadReasons());
        c.event(ev("k", 1)).event(ev("k", 2));
        assertSteps(c.outputs("k"), 0, 1, 2, 3);
    }

    @Test
    void aStepAlreadyAppliedOrAlreadyBufferedIsADuplicate() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("k", 0)).event(ev("k", 0)).event(ev("k", 2)).event(ev("k", 2));
        assertEquals(List.of("duplicate: step 0 was already applied", "duplicate: step 2 is already buffered"),
                c.deadReasons());
    }

    @Test
    void aLaterStepOfAKeyWithoutASequenceWaitsForItsStepZero() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("k", 2)).event(ev("k", 1));
        assertEquals(List.of(), c.outputs);
        c.event(ev("k", 0));
        assertSteps(c.outputs("k"), 0, 1, 2);
    }

    @Test
    void aStepOfASequenceThatEndedIsLate() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("k", 0)).event(last(ev("k", 1))).event(ev("k", 1)).event(ev("k", 2));
        assertEquals("late: step 1 arrived after its sequence ended at step 1", c.deadReasons().get(0));
        // Step 2 is past the ended sequence's last step: it may open the next sequence, so it waits.
        assertEquals(1, c.deadLetters.size());
        c.event(ev("k", 0)).event(ev("k", 1));
        assertSteps(c.outputs("k"), 0, 1, 0, 1, 2);
    }

    @Test
    void eventsWithoutStepTakeTheNextStepInArrivalOrder() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        for (int t = 0; t < 3; t++) {
            Event e = ev("k", t);
            e.step = Event.NO_STEP;
            c.event(e);
        }
        assertSteps(c.outputs("k"), 0, 1, 2);
    }

    @Test
    void interleavedKeysKeepTheirOwnState() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        for (int t = 0; t < 6; t++) {
            c.event(ev("a", t)).event(ev("b", t));
        }
        assertSteps(c.outputs("a"), 0, 1, 2, 3, 4, 5);
        assertSteps(c.outputs("b"), 0, 1, 2, 3, 4, 5);
    }

    // Sequence end

    @Test
    void endTrueEndsTheSequenceAndClearsItsState() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("k", 0)).event(last(ev("k", 1)));
        assertTrue(c.outputs("k").get(1).last);
        assertEquals(0, c.core.counts().activeSequences);
        // Without an idle timeout nothing needs remembering beyond the tombstone of where it ended.
        c.event(ev("k", 0));
        assertSteps(c.outputs("k"), 0, 1, 0);
    }

    @Test
    void sequenceLengthEndsAfterStepTMinusOneAndRefusesLaterSteps() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().sequenceLength(2));
        c.event(ev("k", 0)).event(ev("k", 1)).event(ev("k", 2));
        assertTrue(c.outputs("k").get(1).last);
        assertEquals(List.of("step 2 is beyond the sequence length 2 (--sequence-length): steps run 0..1"),
                c.deadReasons());
    }

    @Test
    void stepsBufferedWhenASequenceEndsAreLate() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("k", 0)).event(ev("k", 3)).event(last(ev("k", 1)));
        assertEquals(List.of("late: step 3 arrived for a sequence that ended at step 1"), c.deadReasons());
    }

    @Test
    void idleTimeoutInProcessingTimeEmitsTheLastOutputAgainAndDeadLettersTheGap() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().idleTimeout(Duration.ofMillis(100)));
        c.clock(1000).event(ev("k", 0)).event(ev("k", 1)).event(ev("k", 3));
        c.clock(1099);
        assertEquals(2, c.outputs.size());
        c.clock(1100);
        OutputRecord timeout = c.outputs("k").get(2);
        assertEquals(SequenceCore.REASON_IDLE, timeout.reason);
        assertTrue(timeout.last);
        assertEquals(1, timeout.step);
        assertArrayEquals(FORWARD[1], timeout.output, "the last applied step's output, bit for bit");
        assertEquals(List.of("missing step 2: step 3 waited for it until the idle timeout"), c.deadReasons());
        assertEquals(1, c.core.counts().idleTimeouts);
        // After a timeout every later step of it is late, and the key is forgotten one timeout later.
        c.event(ev("k", 4));
        assertEquals("late: step 4 arrived after its sequence ended at step 1 (idle timeout)", c.deadReasons().get(1));
        c.clock(1300);
        assertEquals(0, c.keysInState());
        assertEquals(0, c.timers());
    }

    @Test
    void idleTimeoutInEventTimeFollowsTheWatermark() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().idleTimeout(Duration.ofMillis(100)));
        c.event(ev("a", 0, 1000)).event(ev("b", 0, 1050));
        c.clock(1_000_000); // the wall clock does not matter when events carry ts
        assertEquals(2, c.outputs.size());
        c.watermark(1120); // a's deadline (1100) passed, b's (1150) not
        assertEquals(SequenceCore.REASON_IDLE, c.outputs("a").get(1).reason);
        assertEquals(1, c.outputs("b").size());
    }

    @Test
    void anEventPastItsKeysDeadlineEndsTheSequenceFirstWhateverTheWatermark() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().idleTimeout(Duration.ofMillis(100)));
        c.event(ev("k", 0, 1000)).event(ev("k", 1, 1200));
        List<OutputRecord> out = c.outputs("k");
        assertEquals(SequenceCore.REASON_IDLE, out.get(1).reason);
        assertEquals(0, out.get(1).step);
        assertEquals(List.of("late: step 1 arrived after its sequence ended at step 0 (idle timeout)"), c.deadReasons());
    }

    @Test
    void theEndOfTheInputFinishesEverySequenceAndBufferedStep() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(ev("a", 0)).event(ev("a", 2)).event(ev("b", 3));
        c.endOfInput();
        OutputRecord end = c.outputs("a").get(1);
        assertEquals(SequenceCore.REASON_END_OF_INPUT, end.reason);
        assertTrue(end.last);
        assertEquals(List.of("missing step 1: step 2 waited for it until the input ended",
                "missing step 0: step 3 waited for it until the input ended"), c.deadReasons());
        assertEquals(1, c.core.counts().endOfInputFinals);
    }

    @Test
    void anEventTimeTimerOnTheFinalWatermarkIsTheEndOfInput() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().idleTimeout(Duration.ofHours(1)));
        c.event(ev("k", 0, 5)).watermark(Long.MAX_VALUE);
        assertEquals(SequenceCore.REASON_END_OF_INPUT, c.outputs("k").get(1).reason);
    }

    // State and TTL

    @Test
    void aTimerThatOutlivesItsKeysStateCountsAnExpiryAndEmitsNothing() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().idleTimeout(Duration.ofMillis(100)));
        c.event(ev("k", 0, 1000));
        c.expire("k");
        c.watermark(2000);
        assertEquals(1, c.outputs.size());
        assertEquals(1, c.core.counts().ttlExpiries);
        // The key is new now: a later step waits for a step 0, and ends as missing step 0.
        c.event(ev("k", 1, 2100)).endOfInput();
        assertEquals(List.of("missing step 0: step 1 waited for it until the input ended"), c.deadReasons());
    }

    // What each record carries

    @Test
    void theFirstStepThatReachesTheConfidenceIsTheDecisionOnce() throws Exception {
        float max = 0;
        for (float[] y : FORWARD) {
            max = Math.max(max, new Head(MODEL).confidence(y));
        }
        CoreHarness c = core(StreamOptions.defaults().decideAtConfidence(max));
        for (int t = 0; t < X.length; t++) {
            c.event(ev("k", t));
        }
        assertEquals(1, c.outputs.stream().filter(r -> r.decision).count());
        assertTrue(new Head(MODEL).confidence(c.outputs.stream().filter(r -> r.decision).findFirst().orElseThrow()
                .output) >= max);
    }

    @Test
    void emitHiddenCarriesTheTopRecurrentLayersH() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().emitHidden(true));
        c.event(ev("k", 0));
        assertEquals(((io.rnnstream.model.layers.Recurrent) MODEL.layers().get(0)).units(),
                c.outputs.get(0).hidden.length);
        CoreHarness plain = core(StreamOptions.defaults());
        plain.event(ev("k", 0));
        assertNull(plain.outputs.get(0).hidden);
    }

    @Test
    void eventsTheKernelCannotTakeAreDeadLettersWithTheReason() throws Exception {
        CoreHarness c = core(StreamOptions.defaults());
        c.event(new Event("k", 0, Event.NO_TS, new float[] {1, 2}, false));
        c.event(new Event("k", 0, Event.NO_TS, new float[] {1, Float.NaN, 3}, false));
        c.event(new Event("k", 0, Event.NO_TS, null, false));
        c.event(new Event("k", -5, Event.NO_TS, new float[] {1, 2, 3}, false));
        assertEquals(List.of("wrong feature count: the model expects 3 features per step, the event has 2",
                "feature 1 is NaN", "missing \"features\": expected an array of 3 numbers",
                "\"step\" must be a non-negative integer, not -5"), c.deadReasons());
        assertEquals(List.of(), c.outputs);
    }

    @Test
    void everyEventIsOneOutputOrOneDeadLetter() throws Exception {
        CoreHarness c = core(StreamOptions.defaults().idleTimeout(Duration.ofMillis(50)).maxBufferedSteps(3));
        c.event(ev("a", 0)).event(ev("a", 0)).event(ev("a", 9)).event(ev("b", 2)).event(ev("a", 1))
                .event(last(ev("a", 2))).event(ev("a", 1));
        c.clock(1000).endOfInput();
        StepCounts n = c.core.counts();
        assertEquals(7, n.eventsIn);
        assertEquals(n.eventsIn, n.outputs + n.deadLetters);
        assertEquals(n.outputs + n.idleTimeouts + n.endOfInputFinals, c.outputs.size());
        assertEquals(0, n.activeSequences);
    }

    // Hot swap, without Flink: the history's rule decides which model a sequence starts on.

    @Test
    void aSequenceRunsTheModelInForceWhenItStartedAndKeepsIt() throws Exception {
        StreamOptions opts = StreamOptions.defaults();
        ServedModels models = new ServedModels(MODEL, TestModels.ID, opts);
        Map<String, byte[]> files = new HashMap<>();
        Map<Long, ModelAssignment> history = new HashMap<>();
        models.attach(files, history);
        CoreHarness c = new CoreHarness(models, opts);
        c.event(ev("old", 0, 100));
        Model next = TestModels.simpleRnn(2);
        ModelStatus s = models.offer(ModelUpdate.of(next, 500), opts.swapPolicy());
        assertEquals(ModelStatus.ACCEPTED, s.status, s.json());
        c.event(ev("old", 1, 600)).event(ev("new", 0, 600)).event(ev("early", 0, 400));
        assertEquals(TestModels.ID, c.outputs("old").get(1).model);
        assertEquals(next.id(), c.outputs("new").get(0).model);
        assertEquals(TestModels.ID, c.outputs("early").get(0).model);
        assertFalse(files.isEmpty());
        assertEquals(2, history.size());
    }
}
