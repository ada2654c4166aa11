package io.rnnstream.sql;

import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.step.Timers;
import org.apache.flink.table.functions.ProcessTableFunction;

/**
 * The core's timers on a process table function, on the {@code on_time} clock. Two kinds per key:
 * <ul>
 *   <li>the core's one timer (idle deadline, or when to forget an ended sequence): an unnamed timer, as
 *       before event-time ordering existed, so savepoints taken then still fire it;
 *   <li>the order stage's wakes ({@link io.rnnstream.job.order.TsOrder}): named timers
 *       {@code "order@<ts>"}, one per held ts, told apart in {@code onTimer} by
 *       {@link ProcessTableFunction.OnTimerContext#currentTimer()}.
 * </ul>
 *
 * <p>A timer at or behind the watermark: Flink 2.2's PTF runtime drops such a registration without a
 * word (a DataStream operator's fires it at the next watermark). The core asks for one when events the
 * watermark released (in {@code onTimer}) arm an idle deadline the same watermark already passed, e.g.
 * at the end of the input. Such a timer is kept here as overdue and the function fires it itself once
 * the call's events are through ({@link #takeOverdue}), which is when the DataStream job's step stage
 * would: after the events its order stage released for that watermark.
 *
 * <p>Flink 2.2 gives PTFs no processing-time timers, so RNN_CLASSIFY refuses an idle timeout without
 * {@code on_time} before the core could ask for one.
 */
final class PtfTimers implements Timers {
    static final String WAKE = "order@";

    private final ProcessTableFunction.TimeContext<Long> time;
    private long overdue = SequenceMeta.NO_TIMER;

    PtfTimers(ProcessTableFunction.Context ctx) {
        this.time = ctx.timeContext(Long.class);
    }

    static boolean isWake(String timerName) {
        return timerName != null && timerName.startsWith(WAKE);
    }

    @Override
    public long currentProcessingTime() {
        return System.currentTimeMillis();
    }

    /** Long.MIN_VALUE until every input has sent a watermark (as a DataStream operator's). */
    @Override
    public long currentWatermark() {
        Long w = time.currentWatermark();
        return w == null ? Long.MIN_VALUE : w;
    }

    @Override
    public void register(boolean eventTime, long at) {
        if (!eventTime) {
            throw new UnsupportedOperationException(RnnClassify.NAME + " has no processing-time timers (Flink 2.2"
                    + " PTFs have none): pass on_time => DESCRIPTOR(…) for idle timeouts");
        }
        if (at <= currentWatermark()) {
            overdue = at;
            return;
        }
        time.registerOnTime(at);
    }

    @Override
    public void delete(boolean eventTime, long at) {
        // A processing-time timer is never registered, so there is none to delete.
        if (!eventTime) {
            return;
        }
        if (at == overdue) {
            overdue = SequenceMeta.NO_TIMER;
        } else {
            time.clearTimer(at);
        }
    }

    /** The core's timer that the watermark had already passed when it was set, once; else NO_TIMER. */
    long takeOverdue() {
        long t = overdue;
        overdue = SequenceMeta.NO_TIMER;
        return t;
    }

    /** Wake this key when the watermark reaches {@code ts} (the order stage's held events of that ts). */
    void wake(long ts) {
        time.registerOnTime(WAKE + ts, ts);
    }

    void clearWake(long ts) {
        time.clearTimer(WAKE + ts);
    }
}
