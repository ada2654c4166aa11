package io.rnnstream.sql;

import io.rnnstream.job.step.Timers;
import org.apache.flink.table.functions.ProcessTableFunction;

/**
 * The core's timers on a process table function: event-time timers are the PTF's (unnamed) timers on
 * the {@code on_time} clock. Flink 2.2 gives PTFs no processing-time timers, so RNN_CLASSIFY refuses an
 * idle timeout without {@code on_time} before the core could ask for one.
 */
final class PtfTimers implements Timers {
    private final ProcessTableFunction.TimeContext<Long> time;

    PtfTimers(ProcessTableFunction.Context ctx) {
        this.time = ctx.timeContext(Long.class);
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
        time.registerOnTime(at);
    }

    @Override
    public void delete(boolean eventTime, long at) {
        // A processing-time timer is never registered, so there is none to delete.
        if (eventTime) {
            time.clearTimer(at);
        }
    }
}
