package io.rnnstream.bench.harness;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventTypeInfo;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The end-to-end benchmark: the real job topology (generator → keyBy → step stage → sink) on an
 * in-process MiniCluster at parallelism 1, so that events per second is events per second per core
 * of the operator's thread. See docs/BENCHMARKS.md for the method.
 */
public final class EndToEndBench {
    /** The wall-clock span (epoch ms) of a run's measured events, after its warm-up. */
    public record Window(long fromMillis, long toMillis) {}

    private static volatile Window lastWindow;

    /** The measured window of the last run that finished in this JVM (null before the first). */
    public static Window lastWindow() {
        return lastWindow;
    }

    private static final ConfigOption<String> ROCKSDB_LOCAL_DIR =
            ConfigOptions.key("state.backend.rocksdb.localdir").stringType().noDefaultValue();

    private static final ConfigOption<String> FORST_LOCAL_DIR =
            ConfigOptions.key("state.backend.forst.local-dir").stringType().noDefaultValue();

    private EndToEndBench() {}

    /** One run; the JVM runs one at a time (they share the machine's cores and this class's probe). */
    public static BenchResult run(BenchSpec spec, BenchStage stage, ModelProvider provider, String modelId)
            throws Exception {
        return run(spec, stage, provider, modelId, java.util.Map.of());
    }

    /**
     * @param flinkConf Flink configuration set last, over the harness's own (e.g. RocksDB options such as
     *     {@code state.backend.rocksdb.use-bloom-filter}), as {@code flink run -D} would
     */
    public static synchronized BenchResult run(BenchSpec spec, BenchStage stage, ModelProvider provider,
            String modelId, java.util.Map<String, String> flinkConf) throws Exception {
        spec.check();
        Model model = provider.get();
        BenchStage.StateSize size = stage.stateSize(model);
        String runId = UUID.randomUUID().toString();
        BenchProbe.Run probe = BenchProbe.open(runId);
        Path rocksDir = null;
        try {
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            conf.set(StateBackendOptions.STATE_BACKEND, spec.backend());
            if (spec.managedMemory() != null) {
                conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse(spec.managedMemory()));
            }
            if (spec.backend().equals("forst")) {
                try {
                    Class.forName("org.apache.flink.state.forst.ForStStateBackendFactory");
                } catch (ClassNotFoundException e) {
                    throw new IllegalArgumentException("--backend forst needs flink-statebackend-forst on the"
                            + " classpath: run it from the bench module's bench profile (docs/BENCHMARKS.md)");
                }
            }
            if (!spec.backend().equals("hashmap")) {
                rocksDir = Files.createTempDirectory("rnnstream-bench-" + spec.backend());
                conf.set(spec.backend().equals("rocksdb") ? ROCKSDB_LOCAL_DIR : FORST_LOCAL_DIR, rocksDir.toString());
            }
            if (spec.backend().equals("rocksdb")) {
                // As the CLI's embedded Flink runs RocksDB; -D overrides each.
                conf.addAll(Configuration.fromMap(io.rnnstream.job.FlinkSettings.ROCKSDB_OPTIONS));
            }
            conf.addAll(Configuration.fromMap(flinkConf));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
            // As the job runs (JobMain, LocalFlink); -D pipeline.object-reuse=false measures without.
            if (!flinkConf.containsKey("pipeline.object-reuse")) {
                io.rnnstream.job.FlinkSettings.enableObjectReuse(env);
            }
            if (spec.bufferTimeoutMs() >= 0) {
                env.setBufferTimeout(spec.bufferTimeoutMs());
            }
            long warmup = spec.effectiveWarmup();
            // A bounded sequence in order: parallelism 1 keeps event i the i-th one the sink sees.
            DataStream<Event> events = env.fromSequence(0, spec.events() - 1).name("generator")
                    .map(new BenchGenerator(spec.keys(), spec.sequenceLength(), model.inputSize(), runId,
                            spec.rate()),
                            EventTypeInfo.EVENTS)
                    .name("to-event");
            // No idle timeout, hence no timers: the sequences end at step T−1, as in the setup.
            StreamOptions opts = StreamOptions.defaults().sequenceLength(spec.sequenceLength());
            DataStream<OutputRecord> out = stage.apply(events, provider, modelId, opts);
            out.sinkTo(new MeasuringSink(runId, spec.events(), warmup, spec.keys(), spec.sequenceLength(), stage.ordered(),
                    spec.backend().equals("hashmap"), rocksDir == null ? null : rocksDir.toString()))
                    .name("measure");
            env.execute("rnnstream bench: " + stage.name() + " " + spec.backend() + " " + spec.keys() + " keys");

            if (probe.failure != null) {
                throw new IllegalStateException(probe.failure.getMessage(), probe.failure);
            }
            BenchProbe.Measured m = probe.measured;
            if (m == null) {
                throw new IllegalStateException("the sink saw fewer outputs than the " + spec.events()
                        + " events: the stage dropped some (dead letters?)");
            }
            lastWindow = new Window(m.startMillis(), m.endMillis());
            long[] lat = m.latencies().clone();
            Arrays.sort(lat);
            double rate = m.measuredEvents() / (m.wallNanos() / 1e9);
            double cpuRate = m.cpuNanos() > 0 ? m.measuredEvents() / (m.cpuNanos() / 1e9) : Double.NaN;
            double heapPerKey = m.heapBytesAtEnd() < 0 || m.heapBytesAtStart() < 0 ? -1
                    : (double) (m.heapBytesAtEnd() - m.heapBytesAtStart()) / spec.keys();
            double sstPerKey = m.sstBytes() < 0 ? -1 : (double) m.sstBytes() / spec.keys();
            return new BenchResult(stage.name(), spec.backend(), spec.keys(), spec.events(), m.measuredEvents(), rate,
                    cpuRate, percentile(lat, 0.50) / 1e3, percentile(lat, 0.99) / 1e3, size.valueBytes(),
                    size.rawFloatBytes(), size.detail(), sstPerKey, heapPerKey,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), spec.managedMemory(),
                    spec.rate());
        } finally {
            BenchProbe.close(runId);
            if (rocksDir != null) {
                deleteTree(rocksDir);
            }
        }
    }

    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[i];
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Best effort: it is under the temp directory.
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
