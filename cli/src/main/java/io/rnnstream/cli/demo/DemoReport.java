package io.rnnstream.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.model.Model;
import io.rnnstream.trainer.Plot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's report: index.html with plots a person would rather look at, and metrics.json. */
public final class DemoReport {
    private DemoReport() {}

    /** @return the index.html written */
    public static Path write(Path dir, Model model, Scoreboard score, int sequences, long events, long deadLetters,
            double seconds, int parallelism, double decisionThreshold) throws IOException {
        Files.createDirectories(dir);
        double[] byStep = score.accuracyByStep();
        double[] x = new double[byStep.length];
        for (int t = 0; t < x.length; t++) {
            x[t] = t + 1;
        }
        System.setProperty("java.awt.headless", "true");
        Plot.lines("Accuracy against timesteps seen").xAxis("timesteps seen (rows of the digit)").yAxis("accuracy")
                .yFrom(0).yTo(1).series(List.of(new Plot.Series("stream", x, byStep)))
                .writeTo(dir.resolve("accuracy-by-timestep.png"));
        long[][] c = score.confusion();
        int[][] ci = new int[c.length][];
        for (int i = 0; i < c.length; i++) {
            ci[i] = new int[c[i].length];
            for (int j = 0; j < c[i].length; j++) {
                ci[i][j] = (int) c[i][j];
            }
        }
        List<String> names = new ArrayList<>(model.info().classNames());
        if (names.isEmpty()) {
            for (int i = 0; i < c.length; i++) {
                names.add(Integer.toString(i));
            }
        }
        Plot.confusion(dir.resolve("confusion.png"), "Confusion matrix (final step)", ci, names);
        latencyPlots(dir, score);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.id());
        m.put("sequences", sequences);
        m.put("events", events);
        m.put("outputs", score.outputs());
        m.put("dead_letters", deadLetters);
        m.put("accuracy", score.accuracy());
        m.put("decision_threshold", decisionThreshold);
        m.put("decisions", score.decisions());
        m.put("decision_precision", num(score.decisionPrecision()));
        m.put("mean_decision_step", num(score.meanDecisionStep()));
        m.put("events_per_second", score.outputs() / seconds);
        m.put("parallelism", parallelism);
        m.put("processing_latency_ms", Map.of("p50", score.processingPercentile(0.5), "p99",
                score.processingPercentile(0.99)));
        m.put("committed_latency_ms", Map.of("p50", score.committedPercentile(0.5), "p99",
                score.committedPercentile(0.99)));
        List<Object> acc = new ArrayList<>();
        for (double a : byStep) {
            acc.add(Double.isNaN(a) ? null : a);
        }
        m.put("accuracy_by_timestep", acc);
        m.put("confusion", c);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("metrics.json").toFile(), m);

        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>rnnstream demo</title>"
                + "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}td,th{padding:2px 10px;"
                + "text-align:left}</style></head><body>"
                + "<h1>rnnstream demo</h1>"
                + "<p>Model <code>" + esc(model.id()) + "</code>: " + esc(model.describe()) + "</p>"
                + "<table>"
                + row("accuracy (final step)", String.format(Locale.ROOT, "%.2f%% of %,d digits", 100 * score.accuracy(),
                        score.finals()))
                + row("early decisions", String.format(Locale.ROOT, "precision %.2f%% of %,d decided, mean decision"
                        + " row %.1f of %d (first row with confidence ≥ %.3f)", 100 * score.decisionPrecision(),
                        score.decisions(), score.meanDecisionStep(), byStep.length, decisionThreshold))
                + row("events", String.format(Locale.ROOT, "%,d in, %,d outputs, %,d dead letters", events,
                        score.outputs(), deadLetters))
                + row("throughput", String.format(Locale.ROOT, "%,.0f events/s at parallelism %d", score.outputs() / seconds,
                        parallelism))
                + row("processing latency", "p50 " + score.processingPercentile(0.5) + " ms, p99 "
                        + score.processingPercentile(0.99) + " ms")
                + row("committed latency", "p50 " + score.committedPercentile(0.5) + " ms, p99 "
                        + score.committedPercentile(0.99) + " ms")
                + "</table>"
                + "<h2>Accuracy against timesteps seen</h2><p>The label the stream emits after t rows of the digit:"
                + " what an early decision trades.</p><img src=\"accuracy-by-timestep.png\">"
                + "<h2>Latency</h2><p>Processing: from the event record's timestamp to its output's; committed: until"
                + " a read_committed consumer saw the output (exactly-once commits on each checkpoint). Each output"
                + " once.</p><img src=\"latency-distribution.png\"><img src=\"latency-over-time.png\">"
                + "<img src=\"throughput-over-time.png\">"
                + "<h2>Confusion matrix</h2><img src=\"confusion.png\">"
                + "<p>Numbers: <a href=\"metrics.json\">metrics.json</a></p></body></html>";
        Path index = dir.resolve("index.html");
        Files.writeString(index, html);
        return index;
    }

    /** The latency distribution, and p99 latency and throughput second by second (a stall shows as its second). */
    private static void latencyPlots(Path dir, Scoreboard score) throws IOException {
        double[][] q = score.latencyQuantiles(200);
        double[] pct = new double[q[0].length];
        for (int i = 0; i < pct.length; i++) {
            pct[i] = 100 * q[0][i];
        }
        Plot.lines("Latency distribution").xAxis("latency (ms)").yAxis("% of outputs at or below it").yFrom(0).yTo(100)
                .series(List.of(new Plot.Series("processing", q[1], pct), new Plot.Series("committed", q[2], pct)))
                .writeTo(dir.resolve("latency-distribution.png"));
        double[][] s = score.perSecond();
        Plot.lines("p99 latency, second by second").xAxis("seconds since the first output").yAxis("p99 latency (ms)")
                .yFrom(0).series(List.of(new Plot.Series("processing", s[0], s[2]),
                        new Plot.Series("committed", s[0], s[3])))
                .writeTo(dir.resolve("latency-over-time.png"));
        Plot.lines("Throughput, second by second").xAxis("seconds since the first output").yAxis("outputs per second")
                .yFrom(0).series(List.of(new Plot.Series("outputs", s[0], s[1])))
                .writeTo(dir.resolve("throughput-over-time.png"));
    }

    private static Object num(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String row(String k, String v) {
        return "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
