package io.rnnstream.job;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Flink settings that every place rnnstream configures Flink shares (the CLI's embedded Flink, the
 * benchmarks, the standalone cluster, the Kubernetes manifest; a test keeps the last three equal).
 */
public final class FlinkSettings {
    private FlinkSettings() {}

    /**
     * RocksDB options for this job's access pattern, set wherever rnnstream configures Flink (the CLI's
     * embedded Flink, the bench, the standalone cluster, the Kubernetes manifest). Every event reads and
     * rewrites one ~560-byte value of a random key, so: no block compression (float state barely
     * compresses, and every read of a block that left the cache paid the decompression), and bloom
     * filters (a point lookup skips the files that cannot hold its key). Measured at 1,000,000 keys,
     * alternating with Flink's defaults in the same minutes: 1.3–2.1× (docs/BENCHMARKS.md).
     */
    public static final java.util.Map<String, String> ROCKSDB_OPTIONS = java.util.Map.of(
            "state.backend.rocksdb.compression.per.level", "NO_COMPRESSION",
            "state.backend.rocksdb.use-bloom-filter", "true");

    /**
     * How a failed job restarts, wherever rnnstream configures Flink (the CLI's embedded Flink, the
     * standalone cluster, the Kubernetes manifest; a test keeps the three equal). Exponential delay
     * from 1 s to 1 min, reset after 10 minutes of running, never giving up: Flink's own default
     * when checkpointing is on. The fixed delay of 3 attempts it replaces gave up for good on a
     * 260 s broker outage (each attempt blocks up to a minute on the producers' InitProducerId), so
     * the job did not come back when the broker did.
     */
    public static final java.util.Map<String, String> RESTART_OPTIONS = java.util.Map.of(
            "restart-strategy.type", "exponential-delay",
            "restart-strategy.exponential-delay.initial-backoff", "1 s",
            "restart-strategy.exponential-delay.max-backoff", "1 min",
            "restart-strategy.exponential-delay.backoff-multiplier", "2.0",
            "restart-strategy.exponential-delay.reset-backoff-threshold", "10 min",
            "restart-strategy.exponential-delay.jitter-factor", "0.1",
            "restart-strategy.exponential-delay.attempts-before-reset-backoff", "2147483647");

    /** The reporter's name in Flink's configuration ({@code metrics.reporter.prom.*}) wherever it is set. */
    public static final String PROMETHEUS_REPORTER = "prom";

    /**
     * The Prometheus port of the Kubernetes manifest and Flink's documented default: one JobManager or
     * TaskManager per pod, so every pod serves its metrics on the same port.
     */
    public static final int PROMETHEUS_PORT = 9249;

    /**
     * Flink's Prometheus reporter bound to 127.0.0.1 (module rnnstream-metrics: the stock reporter has no
     * bind address and listens on every interface), for the processes rnnstream starts on this machine:
     * the CLI's embedded Flink and the standalone cluster. Not the Kubernetes manifest, whose pods must
     * be reachable by Prometheus and run the stock reporter from the image's plugins/.
     *
     * @param ports one port, or a range such as {@code 9249-9259} when several processes share the
     *     machine (each takes the first free one)
     */
    public static java.util.Map<String, String> loopbackPrometheusReporter(String ports) {
        String prefix = "metrics.reporter." + PROMETHEUS_REPORTER + ".";
        return java.util.Map.of(
                prefix + "factory.class", "io.rnnstream.metrics.LoopbackPrometheusReporterFactory",
                prefix + "host", "127.0.0.1",
                prefix + "port", ports,
                prefix + "filterLabelValueCharacters", FILTER_LABEL_VALUES);
    }

    /**
     * Label values as they are: by default the reporter turns every character outside [a-zA-Z0-9:_] into
     * '_', so the model id {@code mnist@1-ab12} would show as {@code mnist_1_ab12}. Prometheus takes any
     * text as a label value; set wherever the reporter is (a test keeps the three equal).
     */
    public static final String FILTER_LABEL_VALUES = "false";

    /**
     * Lets chained stages hand records to each other without a deep copy (Flink's
     * {@code pipeline.object-reuse}): order → step → sink otherwise copies every event and every output
     * record through its serializer. Safe for this pipeline: no stage changes a record after emitting
     * it, and the records a stage keeps (buffered early steps, events held for ordering) are changed by
     * no one. The job's own entry points call it; a program that puts its own operators in the same job
     * must check that they keep to the same rule before calling it.
     */
    public static void enableObjectReuse(StreamExecutionEnvironment env) {
        env.getConfig().enableObjectReuse();
    }
}
