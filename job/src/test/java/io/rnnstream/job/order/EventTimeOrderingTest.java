package io.rnnstream.job.order;

import io.rnnstream.job.DeadLetters;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.TestHarnesses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order stage alone, in Flink's keyed operator test harness (real state backends and timers). */
class EventTimeOrderingTest {
    private final List<KeyedOneInputStreamOperatorTestHarness<String, Event, Event>> open = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Event, Event> harness(StreamOptions opts,
            StateBackend backend, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new EventTimeOrdering(opts)),
                (Event e) -> e.key, Types.STRING);
        open.add(h);
        return TestHarnesses.open(h, backend, restore);
    }

    private static Event ts(String key, long ts, float marker) {
        return new Event(key, Event.NO_STEP, ts, new float[] {marker}, false);
    }

    private static void in(KeyedOneInputStreamOperatorTestHarness<String, Event, Event> h, Event e) throws Exception {
        h.processElement(e, e.hasTs() ? e.ts : 0);
    }

    /** The markers of one key's released events, in release order. */
    private static List<Float> released(KeyedOneInputStreamOperatorTestHarness<String, Event, Event> h, String key) {
        return h.extractOutputValues().stream().filter(e -> e.key.equals(key)).map(e -> e.features[0])
                .collect(Collectors.toList());
    }

    private static List<DeadLetter> dead(KeyedOneInputStreamOperatorTestHarness<String, Event, Event> h) {
        return TestHarnesses.sideOutput(h, DeadLetters.TAG);
    }

    @Test
    void outOfOrderWithinTheBoundComesOutSorted() throws Exception {
        for (StateBackend b : List.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend())) {
            var h = harness(StreamOptions.defaults().maxOutOfOrderness(Duration.ofMillis(10)), b, null);
            in(h, ts("a", 102, 2));
            in(h, ts("b", 100, 10));
            in(h, ts("a", 100, 0));
            in(h, ts("a", 105, 5));
            in(h, ts("a", 101, 1));
            in(h, ts("b", 101, 11));
            // Same ts: arrival order.
            in(h, ts("a", 103, 3));
            in(h, ts("a", 103, 4));
            assertTrue(h.extractOutputValues().isEmpty(), "nothing leaves before the watermark passes it");
            h.processWatermark(new Watermark(103));
            assertEquals(List.of(0f, 1f, 2f, 3f, 4f), released(h, "a"));
            assertEquals(List.of(10f, 11f), released(h, "b"));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertEquals(List.of(0f, 1f, 2f, 3f, 4f, 5f), released(h, "a"));
            assertTrue(dead(h).isEmpty());
            // Each released event carries its ts as the record's timestamp.
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> r) {
                    assertEquals(((Event) r.getValue()).ts, r.getTimestamp());
                }
            }
        }
    }

    @Test
    void stepsAndUntimedEventsPassThroughAtOnce() throws Exception {
        var h = harness(StreamOptions.defaults(), null, null);
        in(h, new Event("a", 1, 50, new float[] {1}, false));
        in(h, new Event("a", 0, 40, new float[] {0}, false));
        in(h, new Event("b", Event.NO_STEP, Event.NO_TS, new float[] {7}, false));
        assertEquals(List.of(1f, 0f), released(h, "a"));
        assertEquals(List.of(7f), released(h, "b"));
    }

    @Test
    void lateEventsAreDeadLetters() throws Exception {
        var h = harness(StreamOptions.defaults(), null, null);
        in(h, ts("a", 100, 0));
        h.processWatermark(new Watermark(100));
        in(h, ts("a", 100, 1)); // at the watermark: its turn has passed
        in(h, ts("a", 90, 2));
        in(h, ts("a", 101, 3));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertEquals(List.of(0f, 3f), released(h, "a"));
        List<DeadLetter> d = dead(h);
        assertEquals(2, d.size());
        assertTrue(d.get(0).error.startsWith("late event: ts 100 is behind the watermark 100"), d.get(0).error);
        assertTrue(d.get(1).error.startsWith("late event: ts 90 is behind the watermark 100"), d.get(1).error);
        assertEquals("a", d.get(1).key);
        assertTrue(d.get(1).raw.contains("\"ts\":90"), d.get(1).raw);
    }

    @Test
    void aFullBufferSendsTheNewcomerToDeadLetters() throws Exception {
        var h = harness(StreamOptions.defaults().maxBufferedSteps(3), null, null);
        for (int i = 0; i < 5; i++) {
            in(h, ts("a", 200 - i, i));
        }
        in(h, ts("b", 10, 9)); // another key has its own bound
        List<DeadLetter> d = dead(h);
        assertEquals(2, d.size());
        assertTrue(d.get(0).error.startsWith("buffer full: 3 events of this key already wait"), d.get(0).error);
        h.processWatermark(new Watermark(199));
        assertEquals(List.of(2f, 1f), released(h, "a"));
        // Two left the buffer: two more fit, the third does not.
        in(h, ts("a", 201, 5));
        in(h, ts("a", 202, 6));
        in(h, ts("a", 203, 7));
        assertEquals(3, dead(h).size());
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertEquals(List.of(2f, 1f, 0f, 5f, 6f), released(h, "a"));
        assertEquals(List.of(9f), released(h, "b"));
    }

    @Test
    void heldEventsSurviveSnapshotAndRestore() throws Exception {
        for (StateBackend b : List.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend())) {
            StreamOptions opts = StreamOptions.defaults().maxBufferedSteps(4);
            var first = harness(opts, b, null);
            in(first, ts("a", 13, 3));
            in(first, ts("a", 11, 1));
            in(first, ts("a", 11, 2)); // same ts, later arrival
            in(first, ts("a", 10, 0));
            first.processWatermark(new Watermark(10));
            assertEquals(List.of(0f), released(first, "a"));
            OperatorSubtaskState snap = first.snapshot(1, 1);
            first.close();
            open.remove(first);

            var second = harness(opts, b, snap);
            // The count came back too: one more fits (3 held), the next does not.
            in(second, ts("a", 12, 9));
            in(second, ts("a", 14, 4));
            assertEquals(1, dead(second).size());
            assertTrue(dead(second).get(0).error.startsWith("buffer full: 4 events"), dead(second).get(0).error);
            second.processWatermark(new Watermark(Long.MAX_VALUE));
            assertEquals(List.of(1f, 2f, 9f, 3f), released(second, "a"));
        }
    }
}
