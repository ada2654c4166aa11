package io.rnnstream.job.step;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimerService;

/** The core's {@link Timers} on the operator's timer service (timers of the current key). */
final class FlinkTimers implements Timers {
    private final InternalTimerService<VoidNamespace> timers;

    FlinkTimers(InternalTimerService<VoidNamespace> timers) {
        this.timers = timers;
    }

    @Override
    public long currentProcessingTime() {
        return timers.currentProcessingTime();
    }

    @Override
    public long currentWatermark() {
        return timers.currentWatermark();
    }

    @Override
    public void register(boolean eventTime, long time) {
        if (eventTime) timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time);
        else timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, time);
    }

    @Override
    public void delete(boolean eventTime, long time) {
        if (eventTime) timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, time);
        else timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, time);
    }
}
