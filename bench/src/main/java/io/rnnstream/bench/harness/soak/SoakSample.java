package io.rnnstream.bench.harness.soak;

/**
 * One look at the job, every {@link SoakSpec#sampleEvery()}. Times are seconds since the traffic started
 * (negative: the baseline before it); NaN where nothing was measured in the interval (no full GC in it,
 * no outputs to time, no checkpoint yet).
 *
 * @param heapAfterGcMiB the job JVM's heap right after a full GC the harness asked for: its live set
 * @param rssMiB the job process's resident set ({@code VmRSS})
 * @param activeSequences the step operator's {@code rnnstream.activeSequences} gauge
 * @param checkpointSizeKiB the latest completed checkpoint's full state size
 * @param checkpointMillis the latest completed checkpoint's end-to-end duration
 * @param p99Millis latency of the outputs that arrived in the interval, from the event's producer timestamp
 * @param eventsInPerSecond the step operator's {@code eventsIn}, per second over the interval
 * @param outputsPerSecond outputs the consumer read, per second over the interval
 * @param load the machine's 1-minute load average
 * @param forcedGc whether the harness's own full GC fell in this interval: its pause is the harness's, so
 *     the interval is left out of the latency's slope (and drawn apart)
 */
public record SoakSample(double t, String phase, double heapAfterGcMiB, double rssMiB, double activeSequences,
        double checkpointSizeKiB, double checkpointMillis, double p50Millis, double p99Millis, double maxMillis,
        double eventsInPerSecond, double outputsPerSecond, double load, boolean forcedGc) {

    public static final String HEAP_AFTER_GC = "heap after GC (MiB)";
    public static final String RSS = "RSS (MiB)";
    public static final String ACTIVE_SEQUENCES = "active sequences";
    public static final String CHECKPOINT_SIZE = "checkpoint size (KiB)";
    public static final String CHECKPOINT_DURATION = "checkpoint duration (ms)";
    public static final String P99_LATENCY = "p99 latency (ms)";

    public static final String BASELINE = "baseline";
    public static final String TRAFFIC = "traffic";
    public static final String DRAIN = "drain";

    /** The value of {@code metric} (one of the names above). */
    double value(String metric) {
        return switch (metric) {
            case HEAP_AFTER_GC -> heapAfterGcMiB;
            case RSS -> rssMiB;
            case ACTIVE_SEQUENCES -> activeSequences;
            case CHECKPOINT_SIZE -> checkpointSizeKiB;
            case CHECKPOINT_DURATION -> checkpointMillis;
            case P99_LATENCY -> p99Millis;
            default -> throw new IllegalArgumentException("no metric " + metric);
        };
    }
}
