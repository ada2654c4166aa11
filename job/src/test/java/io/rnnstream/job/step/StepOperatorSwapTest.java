package io.rnnstream.job.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.StateTtl;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.TestHarnesses;
import io.rnnstream.job.TestModels;
import io.rnnstream.job.swap.ModelStatus;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.job.swap.SwapPolicy;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.SimpleRnn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot model swap in the two-input step operator, in Flink's keyed two-input harness (real state backends). */
class StepOperatorSwapTest {
    private final List<KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord>> open =
            new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord> harness(
            StreamOptions opts, StateBackend backend, OperatorSubtaskState restore) throws Exception {
        var op = new StepOperator(() -> TestModels.lstm(2), TestModels.ID, opts, true);
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord>(op, e -> e.key,
                u -> "", Types.STRING);
        open.add(h);
        return TestHarnesses.open(h, backend, restore);
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord> harness(
            StreamOptions opts) throws Exception {
        return harness(opts, null, null);
    }

    private static Event ev(String key, int step, long ts, float[] x) {
        return new Event(key, step, ts, x, false);
    }

    private static List<OutputRecord> outputs(
            KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord> h, String key) {
        return h.extractOutputValues().stream().filter(r -> r.key.equals(key)).collect(Collectors.toList());
    }

    private static List<ModelStatus> status(
            KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord> h) {
        return TestHarnesses.sideOutput(h, StepOperator.MODEL_STATUS);
    }

    private static List<DeadLetter> dead(
            KeyedTwoInputStreamOperatorTestHarness<String, Event, ModelUpdate, OutputRecord> h) {
        return TestHarnesses.sideOutput(h, DeadLetters.TAG);
    }

    /** Each record of the key came from {@code m} (named {@code id}), equal to predict bit for bit. */
    private static void assertServedBy(List<OutputRecord> out, Model m, String id, float[][] x, String what) {
        float[][] f = Forward.sequences(m, x);
        assertEquals(x.length, out.size(), what);
        for (int t = 0; t < x.length; t++) {
            assertEquals(t, out.get(t).step, what);
            assertEquals(id, out.get(t).model, what + " step " + t);
            TestModels.assertBitEqual(f[t], out.get(t).output, what + " step " + t);
        }
    }

    /** Renamed so the ids differ even where the weights come from the same generator. */
    private static Model named(Model m, String name, int version) {
        return m.withInfo(new ModelInfo(name, version, m.info().classNames(), "test"));
    }

    /** A SimpleRNN reading 4 features, where the stream's have 3. */
    private static Model fourFeatures() {
        Random r = new Random(9);
        return new Model(new ModelInfo("wide", 1, List.of(), "test"), -1, List.of(
                new SimpleRnn("rnn", 4, 5, Activation.TANH, true, false, false, TestModels.rnd(r, 4, 5),
                        TestModels.rnd(r, 5, 5), TestModels.rnd(r, 5)),
                new Dense("head", 5, 3, Activation.SOFTMAX, true, TestModels.rnd(r, 5, 3), TestModels.rnd(r, 3))));
    }

    @Test
    void aStreamCrossingTwoUpdatesServesEachSequenceItsAssignedModel() throws Exception {
        var h = harness(StreamOptions.defaults());
        Model m0 = TestModels.lstm(2);
        Model a = named(TestModels.lstm(5), "a", 2);
        Model b = named(TestModels.simpleRnn(1), "b", 3); // another architecture: fine for new sequences
        float[][] x0 = TestModels.sequence(10, 8);
        float[][] x1 = TestModels.sequence(11, 6);
        float[][] x2 = TestModels.sequence(12, 5);
        float[][] x3 = TestModels.sequence(13, 4);

        // The modelServed metric follows the accepted updates.
        StepOperator op = (StepOperator) h.getOperator();
        assertEquals(TestModels.ID, op.servedModel());
        // s0 starts before either update takes effect, and runs across both.
        for (int t = 0; t < 3; t++) {
            h.processElement1(new StreamRecord<>(ev("s0", t, 500 + t, x0[t])));
        }
        h.processElement2(new StreamRecord<>(ModelUpdate.of(a, 1000)));
        assertEquals(a.id(), op.servedModel());
        for (int t = 3; t < 5; t++) {
            h.processElement1(new StreamRecord<>(ev("s0", t, 1000 + t, x0[t])));
        }
        // s1's first event is at 1200 ≥ 1000: model a.
        for (int t = 0; t < 3; t++) {
            h.processElement1(new StreamRecord<>(ev("s1", t, 1200 + t, x1[t])));
        }
        h.processElement2(new StreamRecord<>(ModelUpdate.of(b, 2000)));
        assertEquals(b.id(), op.servedModel());
        // s3 starts at 1500, arriving after b did: still a, as if b had not come yet (replay-safe).
        for (int t = 0; t < 4; t++) {
            h.processElement1(new StreamRecord<>(ev("s3", t, 1500 + t, x3[t])));
        }
        for (int t = 5; t < 8; t++) {
            h.processElement1(new StreamRecord<>(ev("s0", t, 2000 + t, x0[t])));
        }
        for (int t = 3; t < 6; t++) {
            h.processElement1(new StreamRecord<>(ev("s1", t, 2100 + t, x1[t])));
        }
        // s2 starts at 2100: model b.
        for (int t = 0; t < 5; t++) {
            h.processElement1(new StreamRecord<>(ev("s2", t, 2100 + t, x2[t])));
        }
        assertServedBy(outputs(h, "s0"), m0, TestModels.ID, x0, "s0 (started before both)");
        assertServedBy(outputs(h, "s1"), a, a.id(), x1, "s1 (started after a)");
        assertServedBy(outputs(h, "s3"), a, a.id(), x3, "s3 (started before b's time)");
        assertServedBy(outputs(h, "s2"), b, b.id(), x2, "s2 (started after b)");
        List<ModelStatus> st = status(h);
        assertEquals(2, st.size());
        assertTrue(st.get(0).accepted() && st.get(1).accepted(), st.toString());
        assertEquals(a.id(), st.get(0).model);
        assertEquals(1000, st.get(0).effectiveTs);
        assertTrue(st.get(1).json().contains("\"status\":\"accepted\""), st.get(1).json());
        assertTrue(dead(h).isEmpty());
    }

    @Test
    void aCorruptedUpdateIsRefusedAndTheOldModelKeepsServing() throws Exception {
        var h = harness(StreamOptions.defaults().modelDirectory(dir.toString()));
        Model m0 = TestModels.lstm(2);
        byte[] bytes = ModelFile.encode(named(TestModels.lstm(5), "a", 2));
        bytes[bytes.length / 2] ^= 0x10;
        h.processElement2(new StreamRecord<>(new ModelUpdate(bytes, Event.NO_TS, "models-0@7")));
        h.processElement2(new StreamRecord<>(ModelUpdate.of(fourFeatures(), Event.NO_TS)));
        h.processElement2(new StreamRecord<>(new ModelUpdate("hello".getBytes(), Event.NO_TS, "models-0@9")));
        Path missing = dir.resolve("gone.rnns");
        h.processElement2(new StreamRecord<>(ModelUpdate.reference(missing, 0)));

        float[][] x = TestModels.sequence(3, 5);
        for (int t = 0; t < 5; t++) {
            h.processElement1(new StreamRecord<>(ev("k", t, 100 + t, x[t])));
        }
        assertServedBy(outputs(h, "k"), m0, TestModels.ID, x, "after refusals");
        List<ModelStatus> st = status(h);
        assertEquals(4, st.size());
        for (ModelStatus s : st) {
            assertEquals(ModelStatus.REFUSED, s.status, s.json());
        }
        assertNull(st.get(0).model);
        assertTrue(st.get(0).reason.contains("checksum"), st.get(0).reason);
        assertEquals("models-0@7", st.get(0).origin);
        assertEquals(fourFeatures().id(), st.get(1).model);
        assertTrue(st.get(1).reason.contains("reads 4 features per step but the stream's events have 3"),
                st.get(1).reason);
        assertTrue(st.get(2).reason.contains("not a model"), st.get(2).reason);
        assertTrue(st.get(3).reason.contains("no model file"), st.get(3).reason);
        assertTrue(st.get(0).json().startsWith("{\"model\":null,\"status\":\"refused\",\"reason\":"), st.get(0).json());
        assertEquals(TestModels.ID, ((StepOperator) h.getOperator()).servedModel(), "refused updates change no metric");
    }

    @Test
    void switchCarryMovesRunningSequencesWithTheirStateAndRefusesOtherShapes() throws Exception {
        var h = harness(StreamOptions.defaults().swapPolicy(SwapPolicy.SWITCH_CARRY));
        Model m0 = TestModels.lstm(2);
        Model a = named(TestModels.lstm(5), "a", 2);
        float[][] x = TestModels.sequence(4, 7);
        for (int t = 0; t < 3; t++) {
            h.processElement1(new StreamRecord<>(ev("k", t, 100 + t, x[t])));
        }
        h.processElement2(new StreamRecord<>(ModelUpdate.of(TestModels.simpleRnn(1), Event.NO_TS)));
        h.processElement2(new StreamRecord<>(ModelUpdate.of(a, 103)));
        for (int t = 3; t < 7; t++) {
            h.processElement1(new StreamRecord<>(ev("k", t, 100 + t, x[t])));
        }
        List<ModelStatus> st = status(h);
        assertEquals(ModelStatus.REFUSED, st.get(0).status);
        assertTrue(st.get(0).reason.contains("switch-carry"), st.get(0).reason);
        assertTrue(st.get(1).accepted(), st.get(1).json());

        // Expected: the old kernel for steps 0..2, then the new one on the same state.
        StepKernel k0 = new StepKernel(m0);
        StepKernel ka = new StepKernel(a);
        float[] state = k0.newState();
        List<OutputRecord> out = outputs(h, "k");
        assertEquals(7, out.size());
        for (int t = 0; t < 7; t++) {
            float[] y = (t < 3 ? k0 : ka).step(state, x[t]).clone();
            TestModels.assertBitEqual(y, out.get(t).output, "step " + t);
            assertEquals(t < 3 ? TestModels.ID : a.id(), out.get(t).model);
        }
    }

    @Test
    void switchResetRestartsTheStateOnTheNewModel() throws Exception {
        var h = harness(StreamOptions.defaults().swapPolicy(SwapPolicy.SWITCH_RESET));
        Model b = named(TestModels.simpleRnn(1), "b", 3);
        float[][] x = TestModels.sequence(5, 6);
        for (int t = 0; t < 2; t++) {
            h.processElement1(new StreamRecord<>(ev("k", t, Event.NO_TS, x[t])));
        }
        h.processElement2(new StreamRecord<>(ModelUpdate.of(b, Event.NO_TS)));
        for (int t = 2; t < 6; t++) {
            h.processElement1(new StreamRecord<>(ev("k", t, Event.NO_TS, x[t])));
        }
        List<OutputRecord> out = outputs(h, "k");
        float[][] tail = java.util.Arrays.copyOfRange(x, 2, 6);
        float[][] f = Forward.sequences(b, tail);
        for (int t = 2; t < 6; t++) {
            assertEquals(b.id(), out.get(t).model);
            TestModels.assertBitEqual(f[t - 2], out.get(t).output, "step " + t);
        }
        assertEquals(TestModels.ID, out.get(1).model);
    }

    @Test
    void referencesAreReadOnlyInsideTheModelDirectory() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path outside = dir.resolve("secret.rnns");
        ModelFile.write(named(TestModels.lstm(5), "secret", 2), outside);
        Files.createSymbolicLink(models.resolve("link.rnns"), outside);
        ModelFile.write(named(TestModels.lstm(5), "inside", 2), models.resolve("inside.rnns"));
        var h = harness(StreamOptions.defaults().modelDirectory(models.toString()), null, null);
        h.processElement2(new StreamRecord<>(ModelUpdate.reference(outside, 0)));
        h.processElement2(new StreamRecord<>(ModelUpdate.reference(models.resolve("link.rnns"), 0)));
        h.processElement2(new StreamRecord<>(ModelUpdate.reference(models.resolve("../secret.rnns"), 0)));
        // A relative path is taken inside the directory.
        h.processElement2(new StreamRecord<>(new ModelUpdate("{\"path\":\"inside.rnns\"}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8), Event.NO_TS, "models-0@4")));
        List<ModelStatus> st = status(h);
        assertEquals(4, st.size());
        assertTrue(st.get(0).reason.contains("leads outside --model-dir"), st.get(0).reason);
        assertTrue(st.get(1).reason.contains("leads outside --model-dir"), st.get(1).reason);
        assertTrue(st.get(2).reason.contains("contains '..'"), st.get(2).reason);
        assertEquals(ModelStatus.ACCEPTED, st.get(3).status, st.get(3).json());
        // Without a model directory, references are off altogether.
        var off = harness(StreamOptions.defaults(), null, null);
        off.processElement2(new StreamRecord<>(ModelUpdate.reference(models.resolve("inside.rnns"), 0)));
        assertTrue(status(off).get(0).reason.startsWith("model updates by reference are off"),
                status(off).get(0).reason);
    }

    @Test
    void aRestoredJobServesTheModelItServedBefore() throws Exception {
        for (boolean rocks : new boolean[] {false, true}) {
            Model a = named(TestModels.lstm(5), "a", 2);
            Path file = dir.resolve("a" + rocks + ".rnns");
            ModelFile.write(a, file);
            float[][] x = TestModels.sequence(6, 6);
            float[][] y = TestModels.sequence(7, 3);
            var first = harness(StreamOptions.defaults().modelDirectory(dir.toString()),
                    rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend(), null);
            // By reference this time: the file is read once, and its bytes go into the checkpoint.
            first.processElement2(new StreamRecord<>(ModelUpdate.reference(file, 0)));
            for (int t = 0; t < 3; t++) {
                first.processElement1(new StreamRecord<>(ev("k", t, 100 + t, x[t])));
            }
            OperatorSubtaskState snap = first.snapshot(1, 1);
            first.close();
            open.remove(first);
            Files.delete(file);

            var second = harness(StreamOptions.defaults(), rocks ? new EmbeddedRocksDBStateBackend()
                    : new HashMapStateBackend(), snap);
            for (int t = 3; t < 6; t++) {
                second.processElement1(new StreamRecord<>(ev("k", t, 100 + t, x[t])));
            }
            for (int t = 0; t < 3; t++) {
                second.processElement1(new StreamRecord<>(ev("new", t, 200 + t, y[t])));
            }
            float[][] f = Forward.sequences(a, x);
            List<OutputRecord> after = outputs(second, "k");
            assertEquals(3, after.size());
            for (int t = 3; t < 6; t++) {
                assertEquals(a.id(), after.get(t - 3).model);
                TestModels.assertBitEqual(f[t], after.get(t - 3).output, "restored step " + t);
            }
            assertServedBy(outputs(second, "new"), a, a.id(), y, "a sequence started after the restore");
        }
    }

    @Test
    void withoutUpdatesTheTwoInputOperatorMatchesTheOneInputOne() throws Exception {
        var h = harness(StreamOptions.defaults());
        Model m0 = TestModels.lstm(2);
        float[][] x = TestModels.sequence(8, 5);
        for (int t : new int[] {1, 0, 2, 4, 3}) {
            h.processElement1(new StreamRecord<>(ev("k", t, Event.NO_TS, x[t])));
        }
        h.endInput1();
        assertServedBy(outputs(h, "k").subList(0, 5), m0, TestModels.ID, x, "no updates");
        OutputRecord last = outputs(h, "k").get(5);
        assertEquals(SequenceCore.REASON_END_OF_INPUT, last.reason);
    }

    /** The gauge after a restore counts what was running, with model updates as without (StepOperatorTest). */
    @Test
    void activeSequencesCountsTheRestoredOnesWithModelUpdatesToo() throws Exception {
        for (boolean rocks : new boolean[] {false, true}) {
            float[][] x = TestModels.sequence(3, 3);
            var first = harness(StreamOptions.defaults(), rocks ? new EmbeddedRocksDBStateBackend()
                    : new HashMapStateBackend(), null);
            first.processElement1(new StreamRecord<>(new Event("a", 0, Event.NO_TS, x[0], false)));
            first.processElement1(new StreamRecord<>(new Event("b", 0, Event.NO_TS, x[0], false)));
            first.processElement1(new StreamRecord<>(new Event("c", 0, Event.NO_TS, x[0], true)));
            assertEquals(2L, ((StepOperator) first.getOperator()).counts().activeSequences);
            OperatorSubtaskState snap = first.snapshot(1, 1);
            first.close();
            open.remove(first);

            var second = harness(StreamOptions.defaults(), rocks ? new EmbeddedRocksDBStateBackend()
                    : new HashMapStateBackend(), snap);
            assertEquals(2L, ((StepOperator) second.getOperator()).counts().activeSequences, rocks ? "rocksdb" : "hashmap");
        }
    }
}
