package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.DeadLetterReason;
import io.rnnstream.metrics.LoopbackPrometheusReporterFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's metrics as Prometheus scrapes them: the CLI's embedded Flink with --metrics-port, a stream
 * with known good and bad events, one scrape of http://127.0.0.1:PORT/metrics. Also holds the Grafana
 * dashboard in deploy/grafana to the series this scrape exports, so the two cannot drift apart.
 */
class PrometheusMetricsTest {
    static final String OP = "flink_taskmanager_job_task_operator_rnnstream_";
    static final Path DASHBOARD = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("deploy/grafana/rnnstream-dashboard.json");
    /** Series only the Kafka source reports (this test reads files): the dashboard may query them too. */
    static final Pattern KAFKA_ONLY = Pattern.compile("flink_taskmanager_job_task_operator_(KafkaSourceReader_.*"
            + "|pendingRecords)");

    @TempDir
    Path tmp;

    @Test
    void theJobsMetricsReachPrometheusOnLoopback() throws Exception {
        assertEquals(LoopbackPrometheusReporterFactory.FACTORY_CLASS, FlinkSettings.loopbackPrometheusReporter("1")
                .get("metrics.reporter.prom.factory.class"));
        int keys = 3;
        int steps = 5;
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            for (int k = 0; k < keys; k++) {
                lines.add("{\"key\":\"k" + k + "\",\"step\":" + s + ",\"features\":[0.1," + (0.1 * s) + ",-0.3]}");
            }
        }
        int good = lines.size();
        Map<DeadLetterReason, Integer> sent = new HashMap<>();
        bad(lines, sent, DeadLetterReason.DUPLICATE_STEP, "{\"key\":\"k0\",\"step\":1,\"features\":[1,2,3]}", 2);
        bad(lines, sent, DeadLetterReason.MALFORMED, "{not json", 2);
        bad(lines, sent, DeadLetterReason.WRONG_FEATURE_COUNT, "{\"key\":\"k9\",\"features\":[1,2]}", 3);
        bad(lines, sent, DeadLetterReason.NON_FINITE, "{\"key\":\"k9\",\"features\":[1e39,0,0]}", 1);
        bad(lines, sent, DeadLetterReason.MISSING_KEY, "{\"features\":[1,2,3]}", 1);
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.write(in.resolve("events.jsonl"), lines);

        int port = freePort();
        int rest = freePort();
        StreamExecutionEnvironment env = LocalFlink.builder().parallelism(1).checkpoints(tmp.resolve("checkpoints"))
                .checkpointInterval(Duration.ofMillis(300)).metricsPort(port).webUiPort(rest).environment();
        // A source that keeps running after the file: the scrape must find the job alive.
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(in.toUri())).monitorContinuously(Duration.ofMillis(500)).build();
        DataStream<String> text = env.fromSource(source, WatermarkStrategy.noWatermarks(), "source");
        Pipeline.builder()
                .model(() -> TestModels.simpleRnn(7)).modelId(TestModels.ID).options(StreamOptions.defaults())
                .records(Pipeline.lines(text))
                .outputSink(new DiscardingSink<>())
                .deadLetterSink(new DiscardingSink<>())
                .build();
        JobClient job = env.executeAsync("metrics");
        Scrape m;
        Set<String> restNames;
        try {
            assertListensOnLoopbackOnly(port);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean seenBefore = false;
            while (true) {
                m = Scrape.of(port);
                boolean seen = m.get(OP + "linesIn", Map.of()) == lines.size()
                        && m.get(OP + "eventsIn", Map.of("operator_name", "step")) == good + 2
                        && m.names.contains("flink_jobmanager_job_lastCheckpointDuration");
                // A scrape reads one metric after another while the task runs: one taken during the burst of
                // events can show every event in and none out yet. Two in a row that see them all cannot.
                if (seen && seenBefore) {
                    break;
                }
                seenBefore = seen;
                if (System.nanoTime() > deadline) {
                    fail("the scrape never showed every event:\n" + m.text);
                }
                Thread.sleep(200);
            }
            restNames = restMetricIds(rest, job.getJobID().toString());
        } finally {
            job.cancel().get();
        }
        // The same metrics through Flink's REST API (what the web UI and REST-reading tools see).
        for (String id : List.of("0.step.rnnstream.eventsIn", "0.step.rnnstream.outputs",
                "0.step.rnnstream.activeSequences", "0.step.rnnstream.stepLatencyNanos_p99",
                "0.step.rnnstream.reason.duplicate_step.deadLetters",
                "0.step.rnnstream.model." + TestModels.ID + ".modelServed")) {
            assertTrue(restNames.contains(id), id + " is not among the REST metrics " + restNames);
        }

        assertEquals(good, m.value(OP + "outputs", Map.of("operator_name", "step")));
        assertEquals(keys, m.value(OP + "activeSequences", Map.of("operator_name", "step")));
        int parseBad = 0;
        for (var e : sent.entrySet()) {
            assertEquals((double) e.getValue(), m.value(OP + "reason_deadLetters", Map.of("reason", e.getKey().label())),
                    e.getKey().label());
            parseBad += DeadLetterReason.PARSE.contains(e.getKey()) ? e.getValue() : 0;
        }
        assertEquals(parseBad, m.value(OP + "parseDeadLetters", Map.of()));
        // Every kind a stage can produce is a series from the start (0 until it happens): a rate() has a base.
        for (DeadLetterReason r : DeadLetterReason.PARSE) {
            m.value(OP + "reason_deadLetters", Map.of("operator_name", "parse", "reason", r.label()));
        }
        for (DeadLetterReason r : DeadLetterReason.STEP) {
            m.value(OP + "reason_deadLetters", Map.of("operator_name", "step", "reason", r.label()));
        }
        assertEquals(1, m.value(OP + "model_modelServed", Map.of("model", TestModels.ID)));
        assertEquals(good, m.value(OP + "stepLatencyNanos_count", Map.of()));
        double p50 = m.value(OP + "stepLatencyNanos", Map.of("quantile", "0.5"));
        double p99 = m.value(OP + "stepLatencyNanos", Map.of("quantile", "0.99"));
        assertTrue(p50 > 0 && p99 >= p50, p50 + " " + p99);
        for (String line : m.text.split("\n")) {
            // The free text of a dead letter never becomes a label.
            assertFalse(line.contains("not json") || line.contains("wrong feature count"), line);
        }

        checkDashboard(m.names);
        awaitClosed(port);
    }

    /** Every series a panel of the dashboard queries is one the scrape exported (or the Kafka source's). */
    private static void checkDashboard(Set<String> exported) throws IOException {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queried = new TreeSet<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : d.get("panels")) {
            titles.add(panel.get("title").asText());
            JsonNode targets = panel.get("targets");
            assertTrue(targets != null && targets.size() > 0, panel.get("title") + " has queries");
            for (JsonNode t : targets) {
                Matcher x = Pattern.compile("\\bflink_[A-Za-z0-9_]+").matcher(t.get("expr").asText());
                while (x.find()) {
                    queried.add(x.group());
                }
            }
        }
        assertTrue(queried.size() >= 8, queried.toString());
        for (String name : queried) {
            assertTrue(exported.contains(name) || KAFKA_ONLY.matcher(name).matches(),
                    name + " (queried by deploy/grafana/rnnstream-dashboard.json) is not an exported series");
        }
        for (String needed : List.of(OP + "eventsIn", OP + "outputs", OP + "reason_deadLetters",
                OP + "activeSequences", OP + "stepLatencyNanos", OP + "model_modelServed")) {
            assertTrue(queried.contains(needed), "the dashboard shows " + needed);
        }
    }

    /** The metric ids of the job vertex that runs the step operator, from Flink's REST API. */
    private static Set<String> restMetricIds(int rest, String jobId) throws IOException {
        ObjectMapper json = new ObjectMapper();
        String base = "http://127.0.0.1:" + rest + "/jobs/" + jobId;
        Set<String> ids = new TreeSet<>();
        for (JsonNode v : json.readTree(new URL(base)).get("vertices")) {
            if (v.get("name").asText().contains("step")) {
                for (JsonNode metric : json.readTree(new URL(base + "/vertices/" + v.get("id").asText() + "/metrics"))) {
                    ids.add(metric.get("id").asText());
                }
            }
        }
        return ids;
    }

    private static void bad(List<String> lines, Map<DeadLetterReason, Integer> sent, DeadLetterReason r, String line,
            int n) {
        for (int i = 0; i < n; i++) {
            lines.add(line);
        }
        sent.merge(r, n, Integer::sum);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /**
     * The kernel's own table of listening sockets: the reporter's port is bound to 127.0.0.1 alone, not
     * to every interface as Flink's stock reporter binds it. Linux only (CI's); elsewhere it says nothing.
     */
    private static void assertListensOnLoopbackOnly(int port) throws Exception {
        String hexPort = String.format(":%04X", port);
        List<String> bound = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (bound.isEmpty() && System.nanoTime() < deadline) {
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path t = Path.of(table);
                if (!Files.isReadable(t)) {
                    continue;
                }
                for (String line : Files.readAllLines(t)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                        bound.add(f[1].substring(0, f[1].length() - hexPort.length()));
                    }
                }
            }
            if (!Files.isReadable(Path.of("/proc/net/tcp"))) {
                return;
            }
            Thread.sleep(100);
        }
        assertFalse(bound.isEmpty(), "nothing listens on port " + port);
        for (String address : bound) {
            assertTrue(address.equals("0100007F") || address.equals("0000000000000000FFFF00000100007F"),
                    "port " + port + " is bound to " + address + ", not to 127.0.0.1 alone");
        }
    }

    /** The reporter listens no more once its job is gone: the embedded Flink closes what it started. */
    private static void awaitClosed(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            } catch (IOException e) {
                return;
            }
            Thread.sleep(200);
        }
        fail("127.0.0.1:" + port + " still listens after the job ended");
    }

    /** One scrape in Prometheus' text format: name{labels} value. */
    static final class Scrape {
        private static final Pattern LINE = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)(\\{(.*)\\})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        final String text;
        final Set<String> names = new TreeSet<>();
        final List<Object[]> samples = new ArrayList<>();

        private Scrape(String text) {
            this.text = text;
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                Map<String, String> labels = new HashMap<>();
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                names.add(m.group(1));
                samples.add(new Object[] {m.group(1), labels, Double.parseDouble(m.group(4))});
            }
        }

        static Scrape of(int port) throws IOException {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics")
                    .openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try (InputStream in = c.getInputStream()) {
                return new Scrape(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Scrape("");
            } finally {
                c.disconnect();
            }
        }

        /** The sum over the samples of {@code name} whose labels include {@code match}; NaN if there is none. */
        @SuppressWarnings("unchecked")
        double get(String name, Map<String, String> match) {
            double sum = 0;
            int n = 0;
            for (Object[] s : samples) {
                if (s[0].equals(name) && ((Map<String, String>) s[1]).entrySet().containsAll(match.entrySet())) {
                    sum += (double) s[2];
                    n++;
                }
            }
            return n == 0 ? Double.NaN : sum;
        }

        /** As {@link #get}, failing when there is no such series. */
        double value(String name, Map<String, String> match) {
            double v = get(name, match);
            if (Double.isNaN(v)) {
                fail("no series " + name + match + " in the scrape:\n" + text);
            }
            return v;
        }
    }
}
