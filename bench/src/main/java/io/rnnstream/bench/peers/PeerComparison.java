package io.rnnstream.bench.peers;

import io.rnnstream.job.ModelProvider;
import io.rnnstream.bench.harness.BenchResult;
import io.rnnstream.bench.harness.BenchSpec;
import io.rnnstream.bench.harness.BenchStage;
import io.rnnstream.bench.harness.EndToEndBench;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * rnnstream and its peers in one JVM run, through the same end-to-end harness on the same model:
 * checks first that every peer computes the same outputs, then measures each and prints the table, the
 * ratios and the JSON.
 *
 * <pre>
 * java ... io.rnnstream.bench.peers.PeerComparison [--keys 10000] [--backend hashmap] [--events 2000000]
 *     [--peer-events 200000] [--repeat 3] [--peers dl4j,onnx,onnx-sliding,nd4j,kernel-1state,kernel-1state-async]
 *     [--managed-memory 512m] [--rate EVENTS_PER_S] [--json FILE]
 * </pre>
 */
public final class PeerComparison {
    private PeerComparison() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("--keys", "10000", "--backend", "hashmap", "--events",
                "2000000", "--peer-events", "200000", "--repeat", "1", "--sequence-length", "28", "--peers",
                "dl4j,onnx,nd4j", "--rate", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i]) && !args[i].equals("--json") && !args[i].equals("--managed-memory")) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            a.put(args[i], args[i + 1]);
        }
        Model model = PeerModel.load();
        int t = Integer.parseInt(a.get("--sequence-length"));
        if (!a.get("--peers").isEmpty()) {
            checkAgreement(model, t);
        }
        ModelProvider provider = ModelProvider.of(model);
        List<BenchStage> peers = new ArrayList<>();
        for (String p : a.get("--peers").split(",")) {
            switch (p) {
                case "dl4j" -> peers.add(PeerStages.dl4j());
                case "onnx" -> peers.add(PeerStages.onnxWindow());
                case "onnx-sliding" -> peers.add(PeerStages.onnxSliding());
                case "nd4j" -> peers.add(PeerStages.nd4j());
                case "kernel-1state" -> peers.add(StateAccessStages.oneState());
                case "kernel-1state-async" -> peers.add(StateAccessStages.oneStateAsync());
                case "" -> { }
                default -> throw new IllegalArgumentException("unknown peer " + p + ": dl4j, onnx, onnx-sliding, nd4j,"
                        + " kernel-1state or kernel-1state-async");
            }
        }
        List<BenchResult> results = new ArrayList<>();
        int repeat = Integer.parseInt(a.get("--repeat"));
        System.err.printf(Locale.ROOT, "kernel %s; load %.2f%n", StepKernel.defaultVariant(), load());
        for (String backend : a.get("--backend").split(",")) {
            for (String k : a.get("--keys").split(",")) {
                int keys = Integer.parseInt(k);
                // Interleave the contestants within each repetition so that load changes hit them alike.
                for (int r = 0; r < repeat; r++) {
                    results.add(run(BenchStage.rnnstream(), backend, keys, Long.parseLong(a.get("--events")), t, a,
                            provider, model));
                    for (BenchStage p : peers) {
                        results.add(run(p, backend, keys, Long.parseLong(a.get("--peer-events")), t, a, provider,
                                model));
                    }
                }
            }
        }
        System.out.print(BenchResult.table(results));
        System.out.println();
        System.out.print(ratios(results));
        System.out.println();
        String js = BenchResult.toJson(results);
        System.out.print(js);
        if (a.containsKey("--json")) {
            Files.writeString(Path.of(a.get("--json")), js, StandardCharsets.UTF_8);
        }
        System.exit(0); // ND4J and ONNX Runtime leave non-daemon threads behind
    }

    private static BenchResult run(BenchStage stage, String backend, int keys, long events, int t,
            Map<String, String> a, ModelProvider provider, Model model) throws Exception {
        long ev = Math.max(events, keys + Math.max(keys / 2, 20_000));
        long warmup = -1;
        if (stage.name().equals("onnx-window")) {
            // Its cost grows with the window: measure whole sequences (every key through steps 1..T-1 and
            // 0 once), so windows of 1..T inputs weigh alike, as in a long run.
            warmup = keys;
            ev = keys + (long) keys * t;
        } else if (stage.name().equals("onnx-sliding")) {
            // Warm up through every key's first T events (its window filling up), then measure T more
            // per key: every measured event reruns a full window of T.
            warmup = (long) keys * t;
            ev = 2L * keys * t;
        }
        BenchSpec spec = new BenchSpec(backend, keys, ev, warmup, t, a.get("--managed-memory"),
                Long.parseLong(a.get("--rate")), -1);
        System.err.printf(Locale.ROOT, "%s on %s, %,d keys, %,d events (load %.2f)…%n", stage.name(), backend, keys,
                ev, load());
        BenchResult r = EndToEndBench.run(spec, stage, provider, model.id());
        System.err.printf(Locale.ROOT, "  %,.0f events/s, %,.0f events/cpu-s%n", r.eventsPerSecond(),
                r.eventsPerCpuSecond());
        return r;
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** rnnstream ÷ each peer, by the median over repetitions, on the same backend and key count. */
    static String ratios(List<BenchResult> results) {
        StringBuilder sb = new StringBuilder("| backend | keys | peer | rnnstream ÷ peer (events/s) |"
                + " rnnstream ÷ peer (events/cpu-s) |\n|---|---:|---|---:|---:|\n");
        Map<String, List<BenchResult>> groups = new LinkedHashMap<>();
        for (BenchResult r : results) {
            groups.computeIfAbsent(r.backend() + "|" + r.keys() + "|" + r.stage(), x -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<BenchResult>> g : groups.entrySet()) {
            String[] k = g.getKey().split("\\|");
            if (k[2].equals("rnnstream")) {
                continue;
            }
            List<BenchResult> ours = groups.get(k[0] + "|" + k[1] + "|rnnstream");
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %.1f× | %.1f× |%n", k[0], Integer.parseInt(k[1]),
                    k[2], median(ours, false) / median(g.getValue(), false),
                    median(ours, true) / median(g.getValue(), true)));
        }
        return sb.toString();
    }

    static double median(List<BenchResult> rs, boolean cpu) {
        double[] v = rs.stream().mapToDouble(r -> cpu ? r.eventsPerCpuSecond() : r.eventsPerSecond()).sorted()
                .toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Every peer must compute what rnnstream computes (one sequence of T steps), or the race means nothing. */
    static void checkAgreement(Model model, int t) throws Exception {
        StepKernel kernel = new StepKernel(model);
        SplittableRandom r = new SplittableRandom(11);
        List<float[]> xs = new ArrayList<>();
        for (int s = 0; s < t; s++) {
            float[] x = new float[model.inputSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextDouble() < 0.2 ? (float) r.nextDouble() : 0f;
            }
            xs.add(x);
        }
        Dl4jPeer dl4j = new Dl4jPeer(model);
        Nd4jPeer nd4j = new Nd4jPeer(model);
        double worst = 0;
        try (OnnxWindowPeer onnx = new OnnxWindowPeer(PeerModel.onnx())) {
            float[] state = kernel.newState();
            float[] hd = null;
            float[] hn = null;
            for (int s = 0; s < t; s++) {
                float[] ours = kernel.step(state, xs.get(s)).clone();
                float[] yd = dl4j.step(hd, xs.get(s));
                hd = dl4j.lastState();
                float[] yn = nd4j.step(hn, xs.get(s));
                hn = nd4j.lastState();
                float[] yo = onnx.run(xs.subList(0, s + 1));
                for (float[] y : List.of(yd, yn, yo)) {
                    for (int i = 0; i < ours.length; i++) {
                        worst = Math.max(worst, Math.abs(y[i] - ours[i]));
                    }
                }
            }
        }
        if (worst > 1e-4) {
            throw new IllegalStateException("a peer disagrees with rnnstream by " + worst + " on the same model");
        }
        System.err.printf(Locale.ROOT, "peers agree with rnnstream: max |Δ| = %.2e over %d steps%n", worst, t);
    }
}
