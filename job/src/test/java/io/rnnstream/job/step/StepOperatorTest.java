package io.rnnstream.job.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.SequenceMetaSerializer;
import io.rnnstream.job.StateTtl;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.TestHarnesses;
import io.rnnstream.job.TestModels;
import io.rnnstream.job.swap.ModelStatus;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.job.swap.SwapPolicy;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.TrainingInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The step operator alone, in Flink's keyed operator test harness (real state backends and timers). */
class StepOperatorTest {
    private final List<KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord>> open = new ArrayList<>();
    private StepOperator function;

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord> harness(ModelProvider model,
            StreamOptions opts, StateBackend backend, OperatorSubtaskState restore) throws Exception {
        function = new StepOperator(model, TestModels.ID, opts, false);
        var h = new KeyedOneInputStreamOperatorTestHarness<>(function, e -> e.key,
                Types.STRING);
        open.add(h);
        return TestHarnesses.open(h, backend, restore);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord> harness(ModelProvider model,
            StreamOptions opts) throws Exception {
        return harness(model, opts, null, null);
    }

    private static Event ev(String key, int step, float[] x) {
        return new Event(key, step, Event.NO_TS, x, false);
    }

    private static Event ev(String key, int step, long ts, float[] x) {
        return new Event(key, step, ts, x, false);
    }

    private static List<OutputRecord> outputs(KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord> h,
            String key) {
        return h.extractOutputValues().stream().filter(r -> r.key.equals(key)).collect(Collectors.toList());
    }

    private static List<DeadLetter> dead(KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord> h) {
        return TestHarnesses.sideOutput(h, DeadLetters.TAG);
    }

    /**
     * Puts a running key back into release 0.1.0's layout (the state in its own "model-state" value,
     * the bookkeeping without it), as a restored 0.1.0 savepoint leaves it.
     */
    private static void toReleaseZeroOneLayout(KeyedOneInputStreamOperatorTestHarness<String, Event, OutputRecord> h,
            String key, StreamOptions opts) throws Exception {
        var backend = ((StepOperator) h.getOperator()).getKeyedStateBackend();
        h.getOperator().setCurrentKey(key);
        var metaDesc = new ValueStateDescriptor<>(StepState.META, new SequenceMetaSerializer());
        var modelDesc = new ValueStateDescriptor<>(ReleaseZeroOneState.MODEL_STATE,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        StateTtlConfig ttl = StateTtl.of(opts.effectiveStateTtl());
        if (ttl != null) {
            metaDesc.enableTimeToLive(ttl);
            modelDesc.enableTimeToLive(ttl);
        }
        ValueState<SequenceMeta> meta = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, metaDesc);
        ValueState<float[]> legacy = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, modelDesc);
        SequenceMeta m = meta.value();
        legacy.update(m.state.clone());
        m.state = null;
        meta.update(m);
    }

    @Test
    void aKeyInTheOldLayoutCarriesOnOnItsNextEventAndOnItsIdleTimeout() throws Exception {
        for (StateBackend backend : List.<StateBackend>of(new HashMapStateBackend(),
                new EmbeddedRocksDBStateBackend())) {
            Model m = TestModels.lstm(2);
            StreamOptions opts = StreamOptions.defaults().idleTimeout(Duration.ofSeconds(1));
            var h = harness(() -> TestModels.lstm(2), opts, backend, null);
            float[][] x = TestModels.sequence(1, 4);
            float[][] want = Forward.sequences(m, x);
            h.setProcessingTime(0);
            for (String k : List.of("a", "b")) {
                h.processElement(ev(k, 0, x[0]), 0);
                h.processElement(ev(k, 1, x[1]), 0);
                toReleaseZeroOneLayout(h, k, opts);
            }
            // "a" moves over on its next event; "b" gets no event and ends by idle timeout.
            h.processElement(ev("a", 2, x[2]), 0);
            h.setProcessingTime(1500);
            TestModels.assertBitEqual(want[2], outputs(h, "a").get(2).output, backend + " a, step 2 after the move");
            OutputRecord timeout = outputs(h, "b").get(2);
            assertEquals(SequenceCore.REASON_IDLE, timeout.reason);
            assertEquals(1, timeout.step);
            TestModels.assertBitEqual(want[1], timeout.output, backend + " b's idle-timeout record");
            assertEquals(0L, function.counts().asMap().get("ttlExpiries"), backend.toString());
            assertEquals(List.of(), dead(h), backend.toString());
            // Nothing of the old layout is left behind.
            var keyed = ((StepOperator) h.getOperator()).getKeyedStateBackend();
            try (var left = keyed.getKeys(ReleaseZeroOneState.MODEL_STATE, VoidNamespace.INSTANCE)) {
                assertEquals(0, left.count(), backend + ": keys still in the 0.1.0 value");
            }
            if (backend instanceof HashMapStateBackend) {
                h.setProcessingTime(10_000);
                assertEquals(0, h.numKeyedStateEntries());
            }
        }
    }

    @Test
    void interleavedKeysMatchForwardBitForBit() throws Exception {
        for (ModelProvider p : List.<ModelProvider>of(() -> TestModels.simpleRnn(1), () -> TestModels.lstm(2),
                () -> TestModels.stacked(3), () -> TestModels.masked(4))) {
            Model m = p.get();
            var h = harness(p, StreamOptions.defaults());
            float[][] a = TestModels.sequence(10, 9);
            float[][] b = TestModels.sequence(11, 9);
            for (int t = 0; t < 9; t++) {
                h.processElement(ev("a", t, a[t]), 0);
                Event eb = ev("b", Event.NO_STEP, b[t]); // arrival order
                eb.end = t == 8;
                h.processElement(eb, 0);
            }
            float[][] fa = Forward.sequences(m, a);
            float[][] fb = Forward.sequences(m, b);
            List<OutputRecord> ra = outputs(h, "a");
            List<OutputRecord> rb = outputs(h, "b");
            assertEquals(9, ra.size());
            assertEquals(9, rb.size());
            for (int t = 0; t < 9; t++) {
                assertEquals(t, ra.get(t).step);
                TestModels.assertBitEqual(fa[t], ra.get(t).output, m.describe() + " a step " + t);
                TestModels.assertBitEqual(fb[t], rb.get(t).output, m.describe() + " b step " + t);
                assertEquals(TestModels.ID, ra.get(t).model);
                assertFalse(ra.get(t).last);
                assertEquals(t == 8, rb.get(t).last);
            }
            assertTrue(dead(h).isEmpty());
        }
    }

    @Test
    void labelsUseClassNamesAndSigmoidThreshold() throws Exception {
        var h = harness(() -> TestModels.masked(4), StreamOptions.defaults());
        float[][] x = TestModels.sequence(5, 4);
        for (int t = 0; t < 4; t++) {
            h.processElement(ev("k", t, x[t]), 0);
        }
        for (OutputRecord r : h.extractOutputValues()) {
            assertEquals(r.output[0] >= 0.5f ? 1 : 0, r.labelIndex);
            assertEquals(r.labelIndex == 1 ? "yes" : "no", r.labelName);
        }
        var h2 = harness(() -> TestModels.lstm(2), StreamOptions.defaults());
        h2.processElement(ev("k", 0, x[0]), 0);
        OutputRecord r = h2.extractOutputValues().get(0);
        int arg = 0;
        for (int i = 1; i < r.output.length; i++) {
            arg = r.output[i] > r.output[arg] ? i : arg;
        }
        assertEquals(arg, r.labelIndex);
        assertNull(r.labelName);
    }

    @Test
    void earlyStepsAreBufferedUntilTheGapFills() throws Exception {
        Model m = TestModels.lstm(2);
        var h = harness(() -> TestModels.lstm(2), StreamOptions.defaults());
        float[][] x = TestModels.sequence(1, 6);
        for (int t : new int[] {2, 0, 3, 5, 1, 4}) {
            h.processElement(ev("k", t, x[t]), 0);
        }
        List<OutputRecord> out = outputs(h, "k");
        float[][] f = Forward.sequences(m, x);
        assertEquals(6, out.size());
        for (int t = 0; t < 6; t++) {
            assertEquals(t, out.get(t).step);
            TestModels.assertBitEqual(f[t], out.get(t).output, "step " + t);
        }
        assertTrue(dead(h).isEmpty());
    }

    @Test
    void duplicatesBeyondBufferAndLateStepsAreDeadLetters() throws Exception {
        Model m = TestModels.simpleRnn(1);
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults().maxBufferedSteps(2));
        float[][] x = TestModels.sequence(1, 5);
        h.processElement(ev("k", 0, x[0]), 0);
        h.processElement(ev("k", 0, x[0]), 0); // duplicate of an applied step
        h.processElement(ev("k", 2, x[2]), 0); // buffered
        h.processElement(ev("k", 2, x[2]), 0); // duplicate of a buffered step
        h.processElement(ev("k", 4, x[4]), 0); // 3 ahead of step 1: beyond a buffer of 2
        Event end = ev("k", 1, x[1]);
        h.processElement(end, 0); // fills the gap: 1 and 2 apply
        Event last = ev("k", 3, x[3]);
        last.end = true;
        h.processElement(last, 0);
        h.processElement(ev("k", 2, x[2]), 0); // late: its sequence ended at step 3
        h.processElement(ev("k", 0, x[0]), 0); // a new sequence starts
        List<String> errors = dead(h).stream().map(d -> d.error).collect(Collectors.toList());
        assertEquals(4, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("duplicate: step 0 was already applied"), errors.get(0));
        assertTrue(errors.get(1).startsWith("duplicate: step 2 is already buffered"), errors.get(1));
        assertTrue(errors.get(2).startsWith("step 4 is beyond the buffer"), errors.get(2));
        assertTrue(errors.get(3).startsWith("late: step 2 arrived after its sequence ended at step 3"), errors.get(3));
        assertEquals("k", dead(h).get(0).key);
        List<OutputRecord> out = outputs(h, "k");
        assertEquals(5, out.size());
        float[][] f = Forward.sequences(m, x);
        for (int t = 0; t < 4; t++) {
            TestModels.assertBitEqual(f[t], out.get(t).output, "step " + t);
        }
        assertTrue(out.get(3).last);
        TestModels.assertBitEqual(f[0], out.get(4).output, "restarted step 0");
        assertEquals(0, out.get(4).step);
        var c = function.counts().asMap();
        assertEquals(9L, c.get("eventsIn"));
        assertEquals(c.get("eventsIn"), c.get("outputs") + c.get("deadLetters"));
    }

    @Test
    void sequenceLengthEndsSequences() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults().sequenceLength(3));
        float[][] x = TestModels.sequence(1, 4);
        for (int t = 0; t < 4; t++) {
            h.processElement(ev("k", t, x[t]), 0);
        }
        List<OutputRecord> out = outputs(h, "k");
        assertEquals(3, out.size());
        assertTrue(out.get(2).last);
        assertEquals(1, dead(h).size());
        assertTrue(dead(h).get(0).error.startsWith("step 3 is beyond the sequence length 3"));
    }

    @Test
    void decisionFlagsTheFirstConfidentStepOnly() throws Exception {
        Model m = TestModels.simpleRnn(1);
        float[][] x = TestModels.sequence(3, 8);
        float[][] f = Forward.sequences(m, x);
        float threshold = 0;
        for (float[] y : f) {
            threshold = Math.max(threshold, new Head(m).confidence(y));
        }
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults().decideAtConfidence(threshold));
        for (int t = 0; t < 8; t++) {
            h.processElement(ev("k", t, x[t]), 0);
        }
        List<OutputRecord> out = outputs(h, "k");
        assertEquals(1, out.stream().filter(r -> r.decision).count());
        OutputRecord decided = out.stream().filter(r -> r.decision).findFirst().orElseThrow();
        for (OutputRecord r : out) {
            if (r.step < decided.step) {
                assertFalse(r.decision);
            }
        }
    }

    /** A copy of {@code m} whose file says it was trained at every step, with a decision table. */
    private static Model withTable(Model m, double... thresholdsAndPrecisions) {
        List<TrainingInfo.DecisionPoint> rows = new ArrayList<>();
        for (int i = 0; i < thresholdsAndPrecisions.length; i += 2) {
            rows.add(new TrainingInfo.DecisionPoint(thresholdsAndPrecisions[i], thresholdsAndPrecisions[i + 1], 1,
                    4, 8));
        }
        return m.withInfo(m.info().withTraining(new TrainingInfo(TrainingInfo.EVERY_STEP, "t", 1, 0, 0, 10, rows)));
    }

    @Test
    void decideAtPrecisionDecidesAtTheThresholdTheModelsTableGives() throws Exception {
        Model m = TestModels.simpleRnn(1);
        float[][] x = TestModels.sequence(3, 8);
        float[][] f = Forward.sequences(m, x);
        // The table says: the top probability of step 5 reached precision 0.95 on validation.
        double threshold = new Head(m).confidence(f[5]);
        Model tabled = withTable(m, threshold / 2, 0.5, threshold, 0.95, (1 + threshold) / 2, 0.99);
        StreamOptions opts = StreamOptions.defaults().decideAtPrecision(0.95);
        assertEquals(threshold, new Head(tabled, opts).decisionThreshold());
        var h = harness(ModelProvider.of(tabled), opts);
        var ref = harness(ModelProvider.of(m), StreamOptions.defaults().decideAtConfidence(threshold));
        for (int t = 0; t < 8; t++) {
            h.processElement(ev("k", t, x[t]), 0);
            ref.processElement(ev("k", t, x[t]), 0);
        }
        List<Integer> decided = outputs(h, "k").stream().filter(r -> r.decision).map(r -> r.step).toList();
        List<Integer> expected = outputs(ref, "k").stream().filter(r -> r.decision).map(r -> r.step).toList();
        assertEquals(expected, decided);
        assertEquals(1, decided.size());
    }

    @Test
    void decideAtPrecisionRefusesAModelWithoutATableOrThatNeverReachedIt() {
        Model m = TestModels.simpleRnn(1);
        StreamOptions opts = StreamOptions.defaults().decideAtPrecision(0.95);
        ModelException none = assertThrows(ModelException.class, () -> Head.check(m, opts));
        assertTrue(none.getMessage().contains("--decide-at-confidence"), none.getMessage());
        assertThrows(ModelException.class, () -> Head.check(withTable(m, 0.9, 0.9, 0.99, 0.94), opts));
        assertThrows(ModelException.class, () -> Head.check(m, StreamOptions.defaults().decideAtPrecision(0.9)
                .decideAtConfidence(0.9)));
        // A Keras-style file that says nothing, used to decide: warned; a per-step trained one: not.
        assertTrue(Head.decisionWarning(m, StreamOptions.defaults().decideAtConfidence(0.9)).contains("every step"));
        assertNull(Head.decisionWarning(withTable(m, 0.9, 0.99), opts));
        assertNull(Head.decisionWarning(m, StreamOptions.defaults()));
    }

    @Test
    void emitHiddenGivesTheTopRecurrentLayersH() throws Exception {
        Model m = TestModels.stacked(3);
        var h = harness(() -> TestModels.stacked(3), StreamOptions.defaults().emitHidden(true));
        float[][] x = TestModels.sequence(1, 3);
        StepKernel k = new StepKernel(m);
        float[] st = k.newState();
        for (int t = 0; t < 3; t++) {
            h.processElement(ev("k", t, x[t]), 0);
            k.step(st, x[t]);
            TestModels.assertBitEqual(k.layerOutput(m.topRecurrentIndex()), outputs(h, "k").get(t).hidden, "hidden " + t);
        }
    }

    @Test
    void processingTimeIdleTimeoutEmitsTheLastOutputAndDeadLettersTheGap() throws Exception {
        Model m = TestModels.lstm(2);
        var h = harness(() -> TestModels.lstm(2), StreamOptions.defaults().idleTimeout(Duration.ofSeconds(1)));
        float[][] x = TestModels.sequence(1, 5);
        h.setProcessingTime(0);
        h.processElement(ev("k", 0, x[0]), 0);
        h.setProcessingTime(600);
        h.processElement(ev("k", 1, x[1]), 0);
        h.processElement(ev("k", 3, x[3]), 0); // step 2 never comes
        h.setProcessingTime(1500); // 900 ms after the last event: not yet
        assertEquals(2, outputs(h, "k").size());
        h.setProcessingTime(1600);
        List<OutputRecord> out = outputs(h, "k");
        assertEquals(3, out.size());
        OutputRecord timeout = out.get(2);
        assertEquals(SequenceCore.REASON_IDLE, timeout.reason);
        assertTrue(timeout.last);
        assertEquals(1, timeout.step);
        TestModels.assertBitEqual(Forward.sequences(m, x)[1], timeout.output, "timeout output");
        assertEquals(1, dead(h).size());
        assertTrue(dead(h).get(0).error.startsWith("missing step 2: step 3 waited for it until the idle timeout"),
                dead(h).get(0).error);
        // A late step of the timed-out sequence, then a new sequence on the same key.
        h.processElement(ev("k", 2, x[2]), 0);
        assertTrue(dead(h).get(1).error.startsWith("late: step 2"), dead(h).get(1).error);
        h.processElement(ev("k", 0, x[0]), 0);
        assertEquals(0, outputs(h, "k").get(3).step);
        var c = function.counts().asMap();
        assertEquals(1L, c.get("idleTimeouts"));
        assertEquals(c.get("eventsIn"), c.get("outputs") + c.get("deadLetters"));
        // The ended sequence's tombstone and timers are gone one idle period later.
        h.setProcessingTime(10_000);
        assertEquals(5, outputs(h, "k").size()); // the new sequence timed out too
        h.setProcessingTime(20_000);
        assertEquals(0, h.numProcessingTimeTimers());
        assertEquals(0, h.numKeyedStateEntries());
    }

    @Test
    void eventTimeIdleTimeoutFollowsTheWatermarkAndTheEventsOwnTime() throws Exception {
        var h = harness(() -> TestModels.lstm(2), StreamOptions.defaults().idleTimeout(Duration.ofMillis(100)));
        float[][] x = TestModels.sequence(1, 5);
        h.processElement(ev("a", 0, 1000, x[0]), 1000);
        h.processElement(ev("b", 0, 1000, x[0]), 1000);
        h.processElement(ev("a", 1, 1050, x[1]), 1050);
        h.processWatermark(1120); // b's deadline (1100) passed, a's (1150) not
        assertEquals(SequenceCore.REASON_IDLE, outputs(h, "b").get(1).reason);
        assertEquals(2, outputs(h, "a").size());
        // a's next event is already past a's deadline: the sequence timed out before it, whatever the
        // watermark says, so it is late.
        h.processElement(ev("a", 2, 1200, x[2]), 1200);
        List<OutputRecord> a = outputs(h, "a");
        assertEquals(3, a.size());
        assertEquals(SequenceCore.REASON_IDLE, a.get(2).reason);
        assertEquals(1, a.get(2).step);
        assertTrue(dead(h).get(0).error.startsWith("late: step 2"), dead(h).get(0).error);
    }

    @Test
    void endOfInputFinishesEverySequenceAndBufferedStep() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults());
        float[][] x = TestModels.sequence(1, 5);
        h.processElement(ev("a", 0, x[0]), 0);
        h.processElement(ev("a", 2, x[2]), 0);
        h.processElement(ev("b", 3, x[3]), 0); // waits for a step 0 that never comes
        ((StepOperator) h.getOperator()).endInput(1); // the harness only ends a BoundedOneInput
        List<OutputRecord> a = outputs(h, "a");
        assertEquals(2, a.size());
        assertEquals(SequenceCore.REASON_END_OF_INPUT, a.get(1).reason);
        assertTrue(a.get(1).last);
        List<DeadLetter> d = dead(h);
        assertEquals(2, d.size());
        assertTrue(d.get(0).error.startsWith("missing step 1: step 2 waited for it until the input ended"),
                d.get(0).error);
        assertTrue(d.get(1).error.startsWith("missing step 0: step 3 waited for it until the input ended"),
                d.get(1).error);
        assertEquals(1L, function.counts().asMap().get("endOfInputFinals"));
    }

    @Test
    void eventTimeEndOfInputViaTheFinalWatermark() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults().idleTimeout(Duration.ofHours(1)));
        float[][] x = TestModels.sequence(1, 5);
        h.processElement(ev("a", 0, 5, x[0]), 5);
        h.processElement(ev("a", 2, 6, x[2]), 6);
        h.processWatermark(Long.MAX_VALUE);
        assertEquals(SequenceCore.REASON_END_OF_INPUT, outputs(h, "a").get(1).reason);
        assertEquals(1, dead(h).size());
        ((StepOperator) h.getOperator()).endInput(1); // the harness only ends a BoundedOneInput
        assertEquals(2, outputs(h, "a").size());
    }

    @Test
    void ttlExpiryIsCountedWhenATimerOutlivesItsState() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults().idleTimeout(Duration.ofMillis(100))
                .stateTtl(Duration.ofSeconds(1)));
        float[][] x = TestModels.sequence(1, 5);
        h.setStateTtlProcessingTime(0);
        h.processElement(ev("a", 0, 1000, x[0]), 1000);
        // The watermark stalls while the wall clock runs past the TTL.
        h.setStateTtlProcessingTime(5000);
        h.processWatermark(2000);
        assertEquals(1, outputs(h, "a").size());
        assertEquals(1L, function.counts().asMap().get("ttlExpiries"));
        // A later step of the vanished sequence is not applied to zero state.
        h.processElement(ev("a", 1, 2100, x[1]), 2100);
        ((StepOperator) h.getOperator()).endInput(1); // the harness only ends a BoundedOneInput
        assertEquals(1, outputs(h, "a").size());
        assertTrue(dead(h).get(0).error.startsWith("missing step 0"), dead(h).get(0).error);
    }

    @Test
    void snapshotAndRestoreContinueBitIdentically() throws Exception {
        for (boolean rocks : new boolean[] {false, true}) {
            ModelProvider p = () -> TestModels.stacked(3);
            StreamOptions opts = StreamOptions.defaults().idleTimeout(Duration.ofSeconds(10)).decideAtConfidence(0.9);
            float[][] x = TestModels.sequence(9, 12);
            List<Event> events = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                for (String k : new String[] {"a", "b", "c"}) {
                    int step = k.equals("c") ? (t % 2 == 0 ? t + 1 : t - 1) : t; // c out of order
                    events.add(ev(k, step, 1000 + t, x[step]));
                }
            }
            var whole = harness(p, opts, rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend(), null);
            for (Event e : events) {
                whole.processElement(e, e.ts);
            }
            whole.processWatermark(Long.MAX_VALUE);
            List<OutputRecord> expected = whole.extractOutputValues();

            var first = harness(p, opts, rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend(), null);
            int cut = 17; // c has a buffered step at the cut
            for (Event e : events.subList(0, cut)) {
                first.processElement(e, e.ts);
            }
            List<OutputRecord> got = new ArrayList<>(first.extractOutputValues());
            OperatorSubtaskState snap = first.snapshot(1, 1);
            first.close();
            open.remove(first);
            var second = harness(p, opts, rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend(), snap);
            for (Event e : events.subList(cut, events.size())) {
                second.processElement(e, e.ts);
            }
            second.processWatermark(Long.MAX_VALUE);
            got.addAll(second.extractOutputValues());
            assertEquals(expected.size(), got.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), got.get(i), "record " + i + (rocks ? " (rocksdb)" : " (hashmap)"));
            }
        }
    }

    @Test
    void activeSequencesCountsTheRestoredOnes() throws Exception {
        for (boolean rocks : new boolean[] {false, true}) {
            ModelProvider p = () -> TestModels.simpleRnn(1);
            StreamOptions opts = StreamOptions.defaults();
            float[][] x = TestModels.sequence(3, 3);
            var first = harness(p, opts, rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend(), null);
            first.processElement(ev("a", 0, x[0]), 0);
            first.processElement(ev("b", 0, x[0]), 0);
            Event end = ev("c", 0, x[0]);
            end.end = true;
            first.processElement(end, 0); // started and ended
            first.processElement(ev("d", 2, x[2]), 0); // buffered, waiting for its step 0: not running
            assertEquals(2L, function.counts().asMap().get("activeSequences"));
            OperatorSubtaskState snap = first.snapshot(1, 1);
            first.close();
            open.remove(first);

            var second = harness(p, opts, rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend(), snap);
            assertEquals(2L, function.counts().asMap().get("activeSequences"), rocks ? "rocksdb" : "hashmap");
            Event endA = ev("a", 1, x[1]);
            endA.end = true;
            second.processElement(endA, 0);
            second.processElement(ev("e", 0, x[0]), 0);
            assertEquals(2L, function.counts().asMap().get("activeSequences"));
        }
    }

    @Test
    void refusesModelsThatCannotStream() {
        ModelException e = assertThrows(ModelException.class,
                () -> harness(() -> TestModels.goBackwards(1), StreamOptions.defaults()));
        assertTrue(e.getMessage().contains("go_backwards"), e.getMessage());
        assertThrows(ModelException.class, () -> Head.check(TestModels.goBackwards(1), StreamOptions.defaults()));
    }

    @Test
    void eventsBuiltInCodeAreCheckedToo() throws Exception {
        var h = harness(() -> TestModels.simpleRnn(1), StreamOptions.defaults());
        h.processElement(ev("k", 0, new float[] {1, 2}), 0);
        h.processElement(ev("k", 0, new float[] {1, Float.NaN, 2}), 0);
        assertEquals(2, dead(h).size());
        assertTrue(dead(h).get(0).raw.startsWith("{\"key\":\"k\""));
        assertTrue(h.extractOutputValues().isEmpty());
    }

}
