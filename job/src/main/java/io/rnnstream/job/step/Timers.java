package io.rnnstream.job.step;

/**
 * The clocks and timers of the key being processed: the subset of Flink's {@code TimerService} the
 * {@link SequenceCore} needs, so that its rules run without Flink (tests drive both clocks by hand).
 */
public interface Timers {
    long currentProcessingTime();

    long currentWatermark();

    /** A timer of the current key at {@code time}, in event time or processing time. */
    void register(boolean eventTime, long time);

    void delete(boolean eventTime, long time);
}
