package io.rnnstream.job.step;

/**
 * The clocks and timers of the key being processed: the subset of Flink's {@code TimerService} the
 * {@link SequenceCore} needs, so that its rules run without Flink (tests drive both clocks by hand).
 */
public interface Timers {
    long currentProcessingTime();

    long currentWatermark();

    void registerEventTimeTimer(long time);

    void registerProcessingTimeTimer(long time);

    void deleteEventTimeTimer(long time);

    void deleteProcessingTimeTimer(long time);
}
