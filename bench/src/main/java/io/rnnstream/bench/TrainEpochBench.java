package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.trainer.EpochStats;
import io.rnnstream.trainer.Threads;
import io.rnnstream.trainer.TrainConfig;
import io.rnnstream.trainer.TrainListener;
import io.rnnstream.trainer.TrainResult;
import io.rnnstream.trainer.Trainer;
import io.rnnstream.trainer.data.Datasets;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.TrainTest;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Loss;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training time per epoch on one thread against the PyTorch reference: MNIST rows (the bundled
 * 8,000 training sequences of 28 steps × 28 pixels), SimpleRNN(128) → Dense(10, softmax), Adam,
 * batch 32, exactly what {@code rnnstream train --data mnist} runs. Prints a table and JSON (and
 * writes the JSON to {@code --json FILE}). Not a test: run it by hand on a quiet machine.
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.rnnstream.bench.TrainEpochBench [--epochs 5] [--layers "SimpleRNN(128)"] [--batch 32] \
 *     [--loss every-step|last-step] [--json FILE]
 * </pre>
 */
public final class TrainEpochBench {
    /** PyTorch on CPU, one thread: seconds per epoch of the same model and data (94.8 % after 20 epochs). */
    static final double REFERENCE_SECONDS = 6.4;

    private TrainEpochBench() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int epochs = Integer.parseInt(a.getOrDefault("epochs", "5"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "32"));
        String layers = a.getOrDefault("layers", "SimpleRNN(128)");
        String omp = System.getenv("OMP_NUM_THREADS");
        if (!"1".equals(omp)) {
            System.err.println("warning: OMP_NUM_THREADS is " + (omp == null ? "unset" : omp)
                    + "; set OMP_NUM_THREADS=1 for a one-thread measurement");
        }
        Threads.limit(1);

        TrainTest tt = Datasets.load(a.getOrDefault("data", "mnist"), 0.2, 42);
        SequenceDataset train = tt.train();
        Loss loss = Loss.parse(a.getOrDefault("loss", "every-step"));
        TrainConfig cfg = TrainConfig.builder(LayerSpec.parseList(layers)).epochs(epochs).batchSize(batch).loss(loss)
                .name("bench").build();
        List<double[]> load = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> processCpu = new ArrayList<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        TrainListener listener = new TrainListener() {
            private double[] startLoad;
            private long startCpu;
            private long startProcessCpu;

            @Override
            public void epochStart(int epoch, int total, int batches) {
                startLoad = loadAverage();
                startCpu = threads.getCurrentThreadCpuTime();
                startProcessCpu = processCpuNanos();
            }

            @Override
            public void epochEnd(EpochStats s, int total) {
                // With one OpenMP and one BLAS thread every op runs on this thread, so its CPU time is the
                // epoch's compute even when other processes take turns on the cores.
                double c = (threads.getCurrentThreadCpuTime() - startCpu) / 1e9;
                double pc = (processCpuNanos() - startProcessCpu) / 1e9;
                cpu.add(c);
                processCpu.add(pc);
                double[] end = loadAverage();
                load.add(new double[] {startLoad[0], end[0]});
                System.err.printf(Locale.ROOT, "epoch %d/%d: %.2f s wall, %.2f s CPU (process %.2f s), loss %.4f, accuracy %.4f,"
                        + " load %.2f → %.2f%n", s.epoch(), total, s.seconds(), c, pc, s.loss(), s.accuracy(),
                        startLoad[0], end[0]);
            }
        };
        System.err.println("training " + layers + " on " + train + ", batch " + batch + ", " + epochs
                + " epochs, " + loss.label() + " loss, one thread");
        TrainResult r = Trainer.train(train, cfg, listener);

        double[] secs = r.history().stream().mapToDouble(EpochStats::seconds).toArray();
        double[] sorted = secs.clone();
        Arrays.sort(sorted);
        double median = median(sorted);
        double min = sorted[0];
        double[] cpuSorted = cpu.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double cpuMedian = median(cpuSorted);
        double cpuMin = cpuSorted[0];

        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%-28s %10s %10s %12s%n", "", "median s", "min s", "vs 6.4 s"));
        t.append(String.format(Locale.ROOT, "%-28s %10.2f %10.2f %11.2fx%n", "rnnstream wall", median,
                min, median / REFERENCE_SECONDS));
        t.append(String.format(Locale.ROOT, "%-28s %10.2f %10.2f %11.2fx%n", "rnnstream CPU (its thread)", cpuMedian,
                cpuMin, cpuMedian / REFERENCE_SECONDS));
        t.append(String.format(Locale.ROOT, "%-28s %10.2f %10s %12s%n", "PyTorch CPU, 1 thread", REFERENCE_SECONDS,
                "", "1.00x"));
        System.out.print(t);

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = json.createObjectNode();
        o.put("benchmark", "train-epoch");
        o.put("data", train.toString());
        o.put("train_sequences", train.size());
        o.put("layers", layers);
        o.put("batch", batch);
        o.put("loss", loss.label());
        o.put("optimizer", "adam");
        o.put("threads", 1);
        o.put("omp_num_threads", omp);
        o.put("cpu", cpuModel());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        o.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        ArrayNode e = o.putArray("seconds_per_epoch");
        for (double s : secs) {
            e.add(round(s));
        }
        ArrayNode c = o.putArray("cpu_seconds_per_epoch");
        for (double x : cpu) {
            c.add(round(x));
        }
        ArrayNode pcs = o.putArray("process_cpu_seconds_per_epoch");
        for (double x : processCpu) {
            pcs.add(round(x));
        }
        ArrayNode l = o.putArray("load_average_1min");
        for (double[] x : load) {
            l.addArray().add(x[0]).add(x[1]);
        }
        o.put("median_seconds", round(median));
        o.put("min_seconds", round(min));
        o.put("median_cpu_seconds", round(cpuMedian));
        o.put("min_cpu_seconds", round(cpuMin));
        o.put("reference_seconds", REFERENCE_SECONDS);
        o.put("reference", "PyTorch CPU, one thread, same model and data");
        o.put("median_vs_reference", round(median / REFERENCE_SECONDS));
        o.put("median_cpu_vs_reference", round(cpuMedian / REFERENCE_SECONDS));
        o.put("final_train_accuracy", round(r.history().get(r.history().size() - 1).accuracy()));
        String text = json.writeValueAsString(o);
        System.out.println(text);
        if (a.containsKey("json")) {
            Path p = Path.of(a.get("json"));
            if (p.toAbsolutePath().getParent() != null) {
                Files.createDirectories(p.toAbsolutePath().getParent());
            }
            Files.writeString(p, text + "\n");
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    /** CPU time of the whole JVM (every thread: JIT, GC, ND4J's deallocators), or -1. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** The 1-, 5- and 15-minute load averages (Linux), or NaNs. */
    static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
