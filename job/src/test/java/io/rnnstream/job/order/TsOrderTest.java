package io.rnnstream.job.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.StreamOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The order stage's rules (docs/STREAMING.md, "By event time") on {@link TsOrder} alone: one key's held
 * events in a map, the watermark moved by hand, wakes fired in time order as Flink fires timers.
 */
class TsOrderTest implements TsOrder.Held, TsOrder.Out {
    private final TreeMap<Long, List<Event>> held = new TreeMap<>();
    private final TreeSet<Long> wakes = new TreeSet<>();
    private int count;
    private final List<Event> out = new ArrayList<>();
    private final List<String> dead = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;
    private TsOrder order = new TsOrder(StreamOptions.defaults().maxBufferedSteps(3));

    private static Event ts(long ts, String tag) {
        Event e = new Event("k", Event.NO_STEP, ts, new float[] {1}, false);
        e.raw = tag;
        return e;
    }

    private void arrive(Event e) throws Exception {
        order.onEvent(e, watermark, this, this);
    }

    private void watermark(long w) throws Exception {
        watermark = w;
        while (!wakes.isEmpty() && wakes.first() <= w) {
            order.onWake(wakes.pollFirst(), this, this);
        }
    }

    private List<String> released() {
        return out.stream().map(e -> e.raw).toList();
    }

    @Test
    void eventsWithAStepOrWithoutTsPassStraightThrough() throws Exception {
        arrive(new Event("k", 4, 100, new float[] {1}, false));
        arrive(new Event("k", Event.NO_STEP, Event.NO_TS, new float[] {1}, false));
        assertEquals(2, out.size());
        assertEquals(0, count);
    }

    @Test
    void tsOnlyEventsWaitForTheWatermarkAndLeaveInTsThenArrivalOrder() throws Exception {
        arrive(ts(30, "c"));
        arrive(ts(10, "a1"));
        arrive(ts(10, "a2"));
        assertEquals(List.of(), released());
        watermark(10);
        assertEquals(List.of("a1", "a2"), released());
        watermark(Long.MAX_VALUE); // the final watermark of a bounded input releases everything held
        assertEquals(List.of("a1", "a2", "c"), released());
        assertEquals(0, count);
        assertEquals(3, order.reordered);
    }

    @Test
    void anEventAtOrBehindTheWatermarkIsLate() throws Exception {
        watermark(50);
        arrive(ts(50, "late"));
        assertEquals(1, dead.size());
        assertTrue(dead.get(0).startsWith("late event: ts 50 is behind the watermark 50"), dead.get(0));
        assertEquals(1, order.lateEvents);
    }

    @Test
    void aFullBufferRefusesNewcomers() throws Exception {
        for (int i = 0; i < 4; i++) {
            arrive(ts(100 + i, "e" + i));
        }
        assertEquals(List.of("buffer full: 3 events of this key already wait for the watermark (now "
                + Long.MIN_VALUE + ") to pass their ts, and at most 3 are kept (--max-buffered-steps); raise it, or"
                + " lower --max-out-of-orderness"), dead);
        assertEquals(1, order.overflows);
        assertEquals(order.eventsIn, out.size() + count + order.deadLetters());
    }

    @Test
    void aWakeWhoseEventsTheTtlRemovedIsCounted() throws Exception {
        order = new TsOrder(StreamOptions.defaults().idleTimeout(Duration.ofSeconds(1)));
        arrive(ts(10, "x"));
        held.clear();
        count = 0;
        watermark(20);
        assertEquals(1, order.ttlExpiries);
        assertEquals(List.of(), out);
    }

    @Override
    public List<Event> at(long ts) {
        List<Event> l = held.get(ts);
        return l == null ? null : new ArrayList<>(l);
    }

    @Override
    public void put(long ts, List<Event> events) {
        held.put(ts, events);
    }

    @Override
    public void remove(long ts) {
        held.remove(ts);
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public void count(int n) {
        count = n;
    }

    @Override
    public void deadLetter(Event e, String why) {
        dead.add(why);
    }

    @Override
    public void wakeAt(long ts) {
        wakes.add(ts);
    }

    @Override
    public void event(Event e) {
        out.add(e);
    }
}
