package io.rnnstream.job.order;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.StreamOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The order stage's rules (docs/STREAMING.md, "By event time") in plain Java: an event with {@code ts}
 * and no {@code step} waits in its key's buffer until the watermark passes its {@code ts}; events of one
 * {@code ts} leave in arrival order; an event at or behind the watermark is late; a full buffer refuses.
 * {@link EventTimeOrdering} runs it on Flink's keyed state and event-time timers.
 */
public final class TsOrder {
    /** One key's held events: a list per distinct ts, in arrival order, and how many in all. */
    public interface Held {
        List<Event> at(long ts) throws Exception;

        void put(long ts, List<Event> events) throws Exception;

        void remove(long ts) throws Exception;

        int count() throws Exception;

        void count(int n) throws Exception;
    }

    /** Where the stage's decisions go. */
    public interface Out {
        void event(Event e);

        void deadLetter(Event e, String why);

        /** Wake this key when the watermark reaches {@code ts} (one wake per key and ts suffices). */
        void wakeAt(long ts);
    }

    private final StreamOptions opts;
    public long eventsIn;
    public long reordered;
    public long lateEvents;
    public long overflows;
    public long ttlExpiries;

    public TsOrder(StreamOptions opts) {
        this.opts = opts;
    }

    /** Whether the order stage holds this event (else it passes through at once). */
    public static boolean ordersByTs(Event e) {
        return e.hasTs() && !e.hasStep();
    }

    public long deadLetters() {
        return lateEvents + overflows;
    }

    /** An event of {@code held}'s key, with the watermark as it stands. */
    public void onEvent(Event e, long watermark, Held held, Out out) throws Exception {
        eventsIn++;
        if (!ordersByTs(e)) {
            out.event(e);
            return;
        }
        if (e.ts <= watermark) {
            lateEvents++;
            out.deadLetter(e, "late event: ts " + e.ts + " is behind the watermark " + watermark + " (the largest ts"
                    + " seen minus --max-out-of-orderness " + opts.maxOutOfOrderness().toMillis() + " ms), so the events"
                    + " after it were already applied; raise --max-out-of-orderness to wait longer");
            return;
        }
        int waiting = held.count();
        int max = opts.maxBufferedSteps();
        if (waiting >= max) {
            overflows++;
            out.deadLetter(e, "buffer full: " + waiting + " events of this key already wait for the watermark (now "
                    + watermark + ") to pass their ts, and at most " + max + " are kept (--max-buffered-steps);"
                    + " raise it, or lower --max-out-of-orderness");
            return;
        }
        List<Event> same = held.at(e.ts);
        if (same == null) {
            same = new ArrayList<>(1);
            out.wakeAt(e.ts);
        }
        // State keeps the POJO's fields only: the payload's text goes in as one of them.
        e.keepRaw();
        same.add(e);
        held.put(e.ts, same);
        held.count(waiting + 1);
        reordered++;
    }

    /** The watermark passed {@code ts} for {@code held}'s key: its events of that ts leave, in arrival order. */
    public void onWake(long ts, Held held, Out out) throws Exception {
        List<Event> due = held.at(ts);
        if (due == null) {
            // The TTL removed the held events first (a watermark that stalled for longer than the TTL).
            ttlExpiries++;
            return;
        }
        held.remove(ts);
        for (Event e : due) {
            out.event(e);
        }
        held.count(held.count() - due.size());
    }
}
