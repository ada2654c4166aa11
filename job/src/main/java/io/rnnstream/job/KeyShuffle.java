package io.rnnstream.job;

import java.util.Locale;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.SchedulerExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Whether the key stage sends each event through Flink's hash shuffle ({@code keyBy}) or, when the
 * whole pipeline is one subtask, keeps it on the source's thread ({@code --key-shuffle}).
 *
 * <p>At parallelism 1 every key group lives on the one subtask, so the shuffle routes nothing: it only
 * serializes each event (with its original text, for dead letters), queues it in a network buffer that
 * waits up to the buffer timeout, and hands it to a second thread. Without it source → parse → order →
 * step → sink are one chain. The keyed state is the same either way (same uids, same key groups), so a
 * savepoint taken with one restores with the other, and at a higher parallelism.
 */
public enum KeyShuffle {
    /** Shuffle unless the source and every keyed stage run as one subtask (and the scheduler cannot rescale it). */
    AUTO,
    /** Always shuffle by key (Flink's {@code keyBy}), as on a cluster that rescales running jobs itself. */
    ALWAYS;

    /** "auto" or "always", as {@code --key-shuffle} takes it. */
    public static KeyShuffle parse(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return AUTO;
            case "always":
                return ALWAYS;
            default:
                throw new IllegalArgumentException("--key-shuffle must be auto or always, not '" + v + "'");
        }
    }

    /** Whether events from {@code in} must be shuffled to reach their key's subtask. */
    boolean needed(DataStream<?> in) {
        if (this == ALWAYS) {
            return true;
        }
        StreamExecutionEnvironment env = in.getExecutionEnvironment();
        if (in.getParallelism() != 1 || env.getParallelism() != 1) {
            return true;
        }
        // Reactive mode runs every stage at the cluster's size, whatever the job says: a chain built for one
        // subtask would then see keys of other subtasks. (Any other rescaling of a running job is caught
        // by the order stage's open() with a line that names this option.)
        return env.getConfiguration().get(JobManagerOptions.SCHEDULER_MODE) == SchedulerExecutionMode.REACTIVE;
    }
}
