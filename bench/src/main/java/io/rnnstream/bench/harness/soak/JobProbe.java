package io.rnnstream.bench.harness.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the job from outside, as an operator would: Flink's REST API (the metric registry a reporter
 * exports: the step operator's gauges and counters, the checkpoints), the kernel's view of the process
 * ({@code /proc/PID/status}), and the JVM's own GC log for the heap after a full GC that {@code jcmd}
 * asked for. Nothing here runs inside the job.
 */
final class JobProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** G1's unified-logging line of a full GC: "Pause Full (Diagnostic Command) 264M->35M(512M) 242.5ms". */
    private static final Pattern FULL_GC = Pattern.compile(
            "Pause Full \\([^)]*\\) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final String ACTIVE = "rnnstream.activeSequences";
    private static final String EVENTS_IN = "rnnstream.eventsIn";
    private static final String DEAD_LETTERS = "rnnstream.deadLetters";
    private static final String IDLE_TIMEOUTS = "rnnstream.idleTimeouts";
    private static final String TTL_EXPIRIES = "rnnstream.ttlExpiries";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final long pid;
    private final Path gcLog;
    private long gcLogOffset;
    private String jobId;
    private String stepVertex;
    /** The step operator's metric names as this Flink spells them ("step.rnnstream.activeSequences"). */
    private String stepPrefix;

    JobProbe(int restPort, long pid, Path gcLog) {
        this.base = "http://127.0.0.1:" + restPort;
        this.pid = pid;
        this.gcLog = gcLog;
    }

    /** Whether the job runs and its step operator has registered its metrics; finds both the first time. */
    boolean ready() {
        try {
            if (jobId == null) {
                for (JsonNode j : get("/jobs").path("jobs")) {
                    if ("RUNNING".equals(j.path("status").asText())) {
                        jobId = j.path("id").asText();
                    }
                }
                if (jobId == null) {
                    return false;
                }
            }
            if (stepPrefix == null) {
                for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
                    if (!"RUNNING".equals(v.path("status").asText())) {
                        return false;
                    }
                    String vid = v.path("id").asText();
                    for (JsonNode m : get("/jobs/" + jobId + "/vertices/" + vid + "/subtasks/metrics")) {
                        String id = m.path("id").asText();
                        // The order stage counts eventsIn too: the step operator is the one with the gauge.
                        if (id.endsWith("." + ACTIVE)) {
                            stepVertex = vid;
                            stepPrefix = id.substring(0, id.length() - ACTIVE.length());
                        }
                    }
                }
            }
            return stepPrefix != null;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The step operator's counters and gauge, summed over its subtasks. */
    record StepMetrics(double activeSequences, double eventsIn, double deadLetters, double idleTimeouts,
            double ttlExpiries) {}

    StepMetrics step() throws IOException {
        String names = String.join(",", stepPrefix + ACTIVE, stepPrefix + EVENTS_IN, stepPrefix + DEAD_LETTERS,
                stepPrefix + IDLE_TIMEOUTS, stepPrefix + TTL_EXPIRIES);
        JsonNode a = get("/jobs/" + jobId + "/vertices/" + stepVertex + "/subtasks/metrics?agg=sum&get=" + names);
        double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        for (JsonNode m : a) {
            String id = m.path("id").asText().substring(stepPrefix.length());
            double sum = m.path("sum").asDouble(Double.NaN);
            switch (id) {
                case ACTIVE -> v[0] = sum;
                case EVENTS_IN -> v[1] = sum;
                case DEAD_LETTERS -> v[2] = sum;
                case IDLE_TIMEOUTS -> v[3] = sum;
                case TTL_EXPIRIES -> v[4] = sum;
                default -> { }
            }
        }
        return new StepMetrics(v[0], v[1], v[2], v[3], v[4]);
    }

    /** The latest completed checkpoint: id, full state size in bytes, end-to-end duration in ms. */
    record Checkpoint(long id, long stateBytes, long millis) {}

    Checkpoint latestCheckpoint() throws IOException {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        if (c.isMissingNode() || c.isNull()) {
            return null;
        }
        return new Checkpoint(c.path("id").asLong(), c.path("state_size").asLong(), c.path("end_to_end_duration")
                .asLong());
    }

    /** The process's resident set in MiB, from the kernel; NaN off Linux. */
    double rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // no /proc (not Linux) or the process has exited
        }
        return Double.NaN;
    }

    /**
     * Asks the job's JVM for a full GC (jcmd GC.run, i.e. System.gc(): a stop-the-world full collection
     * under G1) and returns the heap it left in MiB, as its GC log says: the live set, with none of the
     * garbage that the young collections' "after" values still carry until a concurrent cycle runs. NaN if
     * the log does not show it within 30 s.
     */
    double heapAfterFullGcMiB() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            double after = readFullGc();
            if (!Double.isNaN(after)) {
                return after;
            }
            Thread.sleep(100);
        }
        return Double.NaN;
    }

    /** The "after" of the last full GC logged since the last call, in MiB; NaN if none. */
    private double readFullGc() throws IOException {
        if (!Files.exists(gcLog)) {
            return Double.NaN;
        }
        double after = Double.NaN;
        try (RandomAccessFile f = new RandomAccessFile(gcLog.toFile(), "r")) {
            if (f.length() <= gcLogOffset) {
                return Double.NaN;
            }
            f.seek(gcLogOffset);
            byte[] b = new byte[(int) (f.length() - gcLogOffset)];
            f.readFully(b);
            String text = new String(b, StandardCharsets.UTF_8);
            // Only whole lines: the JVM may be halfway through writing the last one.
            int end = text.lastIndexOf('\n') + 1;
            gcLogOffset += text.substring(0, end).getBytes(StandardCharsets.UTF_8).length;
            Matcher m = FULL_GC.matcher(text.substring(0, end));
            while (m.find()) {
                after = mib(Long.parseLong(m.group(3)), m.group(4));
            }
        }
        return after;
    }

    private static double mib(long v, String unit) {
        return switch (unit) {
            case "K" -> v / 1024.0;
            case "G" -> v * 1024.0;
            default -> v;
        };
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() >= 400) {
                throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
