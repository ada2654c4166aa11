package io.rnnstream.cli;

import io.rnnstream.job.ModelProvider;
import io.rnnstream.bench.harness.BenchResult;
import io.rnnstream.bench.harness.BenchSpec;
import io.rnnstream.bench.harness.AnchorStages;
import io.rnnstream.bench.harness.BenchStage;
import io.rnnstream.bench.harness.EndToEndBench;
import io.rnnstream.bench.harness.StageProfile;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.StepKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.jfr.Recording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream bench}: the real job topology on an embedded Flink MiniCluster at parallelism 1, fed
 * by a generator of N interleaved keys, on each state backend; prints events/s, per-event latency and
 * state bytes per key as a table and as JSON. The peers (DL4J, ONNX Runtime, ND4J) live in the bench
 * module's {@code bench} profile, not here: the CLI never carries them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchKafkaCommand.class, BenchSoakCommand.class},
        description = {"Benchmark the streaming job end to end: generator → keyBy → step operator → sink on an"
                + " embedded Flink (parallelism 1), for each state backend and key count.",
            "Prints events/s (per core), p50/p99 per-event latency (generator to sink) and state bytes per key,"
                + " as a table, then as JSON. docs/BENCHMARKS.md explains each column.",
            "`rnnstream bench kafka` measures the whole Kafka path instead (see its --help)."})
public class BenchCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "MODEL",
            description = "The model to step (default: the bundled models/mnist-simplernn.rnns).")
    Path model;

    @Option(names = "--stages", defaultValue = "rnnstream", split = ",", paramLabel = "STAGE",
            description = "What to run on the same generator, keyBy and sink: rnnstream (the job's operator;"
                    + " rnnstream@N with step bundles of N events, rnnstream@1 without), sql (the same model through"
                    + " the SQL path, RNN_CLASSIFY), floor"
                    + " (keyed state of the model's size read and written per event, no step) and naive (a plain Java"
                    + " SimpleRNN step, no kernel, no bookkeeping); the ratios to rnnstream are printed"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> stages;

    @Option(names = "--keys", defaultValue = "10000,1000000", split = ",", paramLabel = "N",
            description = "Interleaved keys, one run per value (default: ${DEFAULT-VALUE}).")
    List<Integer> keys;

    @Option(names = "--backend", defaultValue = "hashmap,rocksdb", split = ",", paramLabel = "hashmap|rocksdb",
            description = "State backends, one run per value (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--events", defaultValue = "0", paramLabel = "N",
            description = "Events per run, warm-up included (default 0: max(2,000,000, 3 × keys)).")
    long events;

    @Option(names = "--warmup", defaultValue = "-1", paramLabel = "N",
            description = "Events before the clock starts (default: one pass over the keys, at least a fifth of"
                    + " the run).")
    long warmup;

    @Option(names = "--sequence-length", defaultValue = "28", paramLabel = "T",
            description = "Steps per sequence; each key runs 0..T-1, then a new sequence (default: ${DEFAULT-VALUE}).")
    int sequenceLength;

    @Option(names = "--managed-memory", defaultValue = "1g", paramLabel = "SIZE",
            description = "Flink managed memory: RocksDB's block cache and write buffers (default: ${DEFAULT-VALUE};"
                    + " the MiniCluster's own default, 128m, made RocksDB with 1,000,000 keys 4-7x slower here).")
    String managedMemory;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S",
            description = "Pace the generator to this many events/s (default 0: unpaced, which measures throughput;"
                    + " latency is then the queueing of a saturated pipeline). Below capacity, latency is each"
                    + " event's own path.")
    long rate;

    @Option(names = "--buffer-timeout", defaultValue = "-1", paramLabel = "MS",
            description = "Flink's network buffer timeout in ms (default -1: Flink's 100 ms, as the job runs; 0:"
                    + " send every record at once). Paced below capacity, latency is mostly this wait.")
    long bufferTimeoutMs;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
            description = "Run every configuration N times, interleaved, and add a median row for each"
                    + " (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = {"-D", "--flink-conf"}, paramLabel = "KEY=VALUE",
            description = "A Flink configuration option for every run, as `flink run -D` takes it (repeatable), "
                    + "e.g. -D state.backend.rocksdb.use-bloom-filter=true.")
    java.util.Map<String, String> flinkConf = new java.util.LinkedHashMap<>();

    @Option(names = "--profile", description = "Also record each run with JFR (the JDK's sampling profiler) and print"
            + " where the operator thread's time goes: each stage of the path's share of its samples and µs per"
            + " event, from the samples of the measured events only (not the warm-up's)"
            + " (docs/BENCHMARKS.md, \"Where the operator's time goes\").")
    boolean profile;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the JSON to this file.")
    Path json;

    /** {@code --model}, or the bundled MNIST model when there is none. */
    static Model modelOrBundled(Path model) throws java.io.IOException {
        Path home = Path.of(System.getProperty("rnnstream.home", ".")).toAbsolutePath();
        Path modelPath = model != null ? model : home.resolve(DemoCommand.MODEL_FILE);
        if (!Files.exists(modelPath)) {
            throw new ModelException("model " + modelPath + " not found; pass --model MODEL");
        }
        return ModelLoader.load(modelPath);
    }

    @Override
    protected int run() throws Exception {
        Binding.warnings(flinkConf, "-D").forEach(err()::println);
        err().flush();
        // Every argument is checked before the model loads and the first run starts.
        List<BenchSpec> specs = new ArrayList<>();
        for (int n : keys) {
            for (String b : backends) {
                long ev = events > 0 ? events : Math.max(2_000_000L, 3L * n);
                try {
                    BenchSpec spec = new BenchSpec(b, n, ev, warmup, sequenceLength, managedMemory, rate,
                            bufferTimeoutMs);
                    spec.check();
                    specs.add(spec);
                } catch (IllegalArgumentException e) {
                    // The user's own argument: one plain line, exit 1 (as the other commands' checks).
                    throw new ModelException(e.getMessage(), e);
                }
            }
        }
        List<BenchStage> stageList = new ArrayList<>();
        for (String st : stages) {
            try {
                stageList.add(AnchorStages.named(st.trim()));
            } catch (IllegalArgumentException e) {
                throw new ModelException(e.getMessage(), e);
            }
        }
        Model m = modelOrBundled(model);
        ModelProvider provider = ModelProvider.of(m);
        err().printf(Locale.ROOT, "model %s, kernel %s, %d runs; machine load %.2f (1-minute average)%n", m.id(),
                StepKernel.defaultVariant(), specs.size() * Math.max(1, repeat),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        err().flush();
        if (repeat < 1) {
            throw new ModelException("--repeat must be 1 or more, not " + repeat);
        }
        List<BenchResult> results = new ArrayList<>();
        List<List<BenchResult>> bySpec = new ArrayList<>();
        for (int i = 0; i < specs.size() * stageList.size(); i++) {
            bySpec.add(new ArrayList<>());
        }
        StringBuilder profiles = new StringBuilder();
        // Interleaved, so that the machine's load changes touch every configuration alike.
        for (int r = 0; r < repeat; r++) {
            for (int i = 0; i < specs.size(); i++) {
                BenchSpec spec = specs.get(i);
                for (int j = 0; j < stageList.size(); j++) {
                    BenchStage stage = stageList.get(j);
                    err().printf(Locale.ROOT, "running %s on %s, %,d keys, %,d events%s…%n", stage.name(),
                            spec.backend(), spec.keys(), spec.events(),
                            repeat > 1 ? " (" + (r + 1) + " of " + repeat + ")" : "");
                    err().flush();
                    BenchResult res;
                    if (profile) {
                        Path jfr = Files.createTempFile("rnnstream-bench-", ".jfr");
                        try (Recording rec = StageProfile.start(Duration.ofMillis(2))) {
                            res = EndToEndBench.run(spec, stage, provider, m.id(), flinkConf);
                            rec.stop();
                            rec.dump(jfr);
                            profiles.append(String.format(Locale.ROOT, "%n%s, %s, %,d keys: where the operator thread's"
                                    + " time goes (%,.0f events/s, %.2f µs per event)%n", stage.name(), spec.backend(),
                                    spec.keys(), res.eventsPerSecond(), 1e6 / res.eventsPerSecond()))
                                    .append(StageProfile.read(jfr, 1e6 / res.eventsPerSecond(), EndToEndBench.lastWindow())
                                            .table());
                        } finally {
                            Files.deleteIfExists(jfr);
                        }
                    } else {
                        res = EndToEndBench.run(spec, stage, provider, m.id(), flinkConf);
                    }
                    results.add(res);
                    bySpec.get(i * stageList.size() + j).add(res);
                }
            }
        }
        if (repeat > 1) {
            for (List<BenchResult> runs : bySpec) {
                results.add(BenchResult.median(runs));
            }
        }
        String table = BenchResult.table(results) + ratios(repeat > 1 ? results.subList(results.size() - bySpec.size(),
                results.size()) : results);
        String js = BenchResult.toJson(results);
        out().print(table);
        out().print(profiles);
        out().println();
        out().print(js);
        if (json != null) {
            Files.writeString(json, js, StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** The stage's name without a median row's "(median of N)". */
    private static String stageOf(BenchResult r) {
        int paren = r.stage().indexOf(" (");
        return paren < 0 ? r.stage() : r.stage().substring(0, paren);
    }

    /** rnnstream ÷ each anchor of the same backend and keys (of the medians when repeated). */
    private static String ratios(List<BenchResult> rows) {
        StringBuilder b = new StringBuilder();
        for (BenchResult r : rows) {
            if (!stageOf(r).equals("rnnstream")) {
                continue;
            }
            for (BenchResult a : rows) {
                if (!stageOf(a).equals("rnnstream") && a.backend().equals(r.backend()) && a.keys() == r.keys()) {
                    b.append(String.format(Locale.ROOT, "%nrnnstream ÷ %s (%s, %,d keys): %.2f× events/s, %.2f×"
                            + " events/cpu-s", stageOf(a), r.backend(), r.keys(), r.eventsPerSecond() / a.eventsPerSecond(),
                            r.eventsPerCpuSecond() / a.eventsPerCpuSecond()));
                }
            }
        }
        return b.length() == 0 ? "" : b.append('\n').toString();
    }
}
