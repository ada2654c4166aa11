package io.rnnstream.job.step;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.SequenceMeta;
import java.time.Duration;

/**
 * A key has at most one timer, remembered in its {@link SequenceMeta} so that it can be deleted: the
 * idle deadline of a running sequence, or when to forget an ended one. Event time when the events
 * carry {@code ts} (a replay then ends sequences at the same steps), else the wall clock.
 */
final class Deadlines {
    private Deadlines() {}

    /** Whether {@code e}'s own ts is past the key's event-time deadline; if so, the timer is deleted. */
    static boolean passedBy(SequenceMeta meta, Event e, Timers timers) {
        if (meta.timer == SequenceMeta.NO_TIMER || !meta.timerEventTime || !e.hasTs() || e.ts < meta.timer) {
            return false;
        }
        timers.delete(true, meta.timer);
        meta.timer = SequenceMeta.NO_TIMER;
        return true;
    }

    /** Moves the key's idle deadline to {@code idle} after this event. {@code timers} null: none to set. */
    static void arm(SequenceMeta meta, Event e, Duration idle, Timers timers) {
        if (idle == null || timers == null) {
            return;
        }
        delete(meta, timers);
        if (e.hasTs()) {
            register(meta, timers, true, saturatedAdd(meta.maxTs, idle.toMillis()));
        } else {
            register(meta, timers, false, saturatedAdd(timers.currentProcessingTime(), idle.toMillis()));
        }
    }

    /** After a sequence ended at {@code lastTs}: remember it one idle period more, then forget the key. */
    static void forgetLater(SequenceMeta meta, long lastTs, Duration idle, Timers timers) {
        if (timers == null || idle == null || meta.endedAt < 0) {
            return;
        }
        boolean eventTime = lastTs != Event.NO_TS;
        long now = eventTime ? Math.max(timers.currentWatermark(), lastTs) : timers.currentProcessingTime();
        register(meta, timers, eventTime, saturatedAdd(now, idle.toMillis()));
    }

    static void register(SequenceMeta meta, Timers timers, boolean eventTime, long at) {
        timers.register(eventTime, at);
        meta.timer = at;
        meta.timerEventTime = eventTime;
    }

    static void delete(SequenceMeta meta, Timers timers) {
        if (meta.timer != SequenceMeta.NO_TIMER && timers != null) {
            timers.delete(meta.timerEventTime, meta.timer);
        }
        meta.timer = SequenceMeta.NO_TIMER;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
