package io.rnnstream.job;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The embedded Flink that the CLI's {@code stream} and {@code demo} run on. */
public final class LocalFlink {
    private LocalFlink() {}

    /**
     * @param stateBackend "hashmap" or "rocksdb"
     * @param checkpoints a local directory for checkpoints
     * @param webUiPort the web UI's port on 127.0.0.1, or -1 for no web UI
     */
    public static StreamExecutionEnvironment environment(int parallelism, String stateBackend, Path checkpoints,
            Duration checkpointInterval, int webUiPort) {
        return builder().parallelism(parallelism).stateBackend(stateBackend).checkpoints(checkpoints)
                .checkpointInterval(checkpointInterval).webUiPort(webUiPort).environment();
    }

    /** The embedded Flink by named settings; what is not set keeps {@link Builder}'s default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The embedded Flink's settings. */
    public static final class Builder {
        private int parallelism = 1;
        private String stateBackend = "hashmap";
        private Path checkpoints;
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private int webUiPort = -1;
        private int metricsPort = -1;

        private Builder() {}

        public Builder parallelism(int p) {
            this.parallelism = p;
            return this;
        }

        /** "hashmap" (default) or "rocksdb". */
        public Builder stateBackend(String b) {
            this.stateBackend = b;
            return this;
        }

        /** A local directory for checkpoints (required). */
        public Builder checkpoints(Path dir) {
            this.checkpoints = dir;
            return this;
        }

        public Builder checkpointInterval(Duration d) {
            this.checkpointInterval = d;
            return this;
        }

        /** The web UI's port on 127.0.0.1; -1 (default): no web UI. */
        public Builder webUiPort(int port) {
            this.webUiPort = port;
            return this;
        }

        /**
         * The Prometheus endpoint's port on 127.0.0.1 (http://127.0.0.1:PORT/metrics); -1 (default): no
         * reporter. Needs rnnstream-metrics on the class path (the CLI has it).
         */
        public Builder metricsPort(int port) {
            this.metricsPort = port;
            return this;
        }

        public StreamExecutionEnvironment environment() {
            return LocalFlink.environment(this);
        }
    }

    private static StreamExecutionEnvironment environment(Builder b) {
        int parallelism = b.parallelism;
        String stateBackend = b.stateBackend;
        Path checkpoints = java.util.Objects.requireNonNull(b.checkpoints, "checkpoints");
        Duration checkpointInterval = b.checkpointInterval;
        int webUiPort = b.webUiPort;
        if (parallelism < 1) {
            throw new IllegalArgumentException("--parallelism must be 1 or more, not " + parallelism);
        }
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, not " + stateBackend);
        }
        if (checkpointInterval == null || checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("--checkpoint-interval must be positive, not " + checkpointInterval);
        }
        Configuration conf = new Configuration();
        // Every type on the wire and in state has a Flink serializer: a Kryo fallback is a bug.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if (stateBackend.equals("rocksdb")) {
            // RocksDB's block cache and write buffers come out of managed memory; the embedded
            // default (128 MB) made it 4-7x slower at a million keys (docs/BENCHMARKS.md).
            conf.set(org.apache.flink.configuration.TaskManagerOptions.MANAGED_MEMORY_SIZE,
                    org.apache.flink.configuration.MemorySize.parse("1g"));
            conf.addAll(Configuration.fromMap(FlinkSettings.ROCKSDB_OPTIONS));
        }
        // Checkpoints on local disk: the in-memory default caps state at a few MB.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.addAll(Configuration.fromMap(FlinkSettings.RESTART_OPTIONS));
        // Loopback only: nothing the CLI starts is reachable from another machine.
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        if (b.metricsPort >= 0) {
            requireFreeMetricsPort(b.metricsPort);
            conf.addAll(Configuration.fromMap(
                    FlinkSettings.loopbackPrometheusReporter(Integer.toString(b.metricsPort))));
        }
        StreamExecutionEnvironment env;
        if (webUiPort >= 0) {
            conf.set(RestOptions.BIND_PORT, Integer.toString(webUiPort));
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        } else {
            env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        }
        env.setParallelism(parallelism);
        FlinkSettings.enableObjectReuse(env);
        env.enableCheckpointing(checkpointInterval.toMillis());
        return env;
    }

    /**
     * Refuses a --metrics-port out of range or already taken on 127.0.0.1: Flink logs a reporter that
     * cannot bind and runs on without it, so the CLI says so before starting instead.
     */
    public static void requireFreeMetricsPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--metrics-port must be 1..65535, not " + port);
        }
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--metrics-port " + port + ": 127.0.0.1:" + port
                    + " is in use; pick another port");
        }
    }
}
