package io.rnnstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The few calls of Flink's REST API a deployment needs: upload a job jar, run it (optionally from a
 * savepoint, at a given parallelism), watch it, stop it with a savepoint, cancel it.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http;

    public FlinkRest(String restUrl) {
        this.base = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String url() {
        return base;
    }

    /** {@code GET /overview}: TaskManagers, slots, running jobs, Flink version. */
    public JsonNode overview() throws IOException {
        return get("/overview");
    }

    /** {@code GET /jobs/overview}. */
    public JsonNode jobs() throws IOException {
        return get("/jobs/overview");
    }

    /** {@code GET /jobs/{id}}: {@code state} is CREATED, RUNNING, RESTARTING, FINISHED, FAILED, CANCELED… */
    public JsonNode job(String jobId) throws IOException {
        return get("/jobs/" + jobId);
    }

    public String jobState(String jobId) throws IOException {
        return job(jobId).path("state").asText();
    }

    /** {@code GET /jobs/{id}/checkpoints}: counts and the latest completed checkpoint. */
    public JsonNode checkpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** {@code GET /jobs/{id}/exceptions}. */
    public JsonNode exceptions(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/exceptions");
    }

    /** {@code POST /jars/upload} (multipart, field {@code jarfile}); returns the jar id the cluster gave it. */
    public String uploadJar(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no job jar at " + jar + ": build it with 'mvn -B -o -q -pl job -am package -DskipTests'");
        }
        String boundary = "----rnnstream" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(jar));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        JsonNode r = send(req);
        String filename = r.path("filename").asText("");
        if (filename.isEmpty()) {
            throw new IOException("the cluster did not accept the jar: " + r);
        }
        return Path.of(filename).getFileName().toString();
    }

    /** How to run an uploaded jar. {@code savepointPath} null: a fresh start. */
    public record RunRequest(String entryClass, List<String> programArgs, Integer parallelism, String savepointPath,
            boolean allowNonRestoredState) {}

    /** {@code POST /jars/{id}/run}; returns the job id. */
    public String run(String jarId, RunRequest r) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        if (r.entryClass() != null) {
            body.put("entryClass", r.entryClass());
        }
        ArrayNode args = body.putArray("programArgsList");
        r.programArgs().forEach(args::add);
        if (r.parallelism() != null) {
            body.put("parallelism", r.parallelism());
        }
        if (r.savepointPath() != null) {
            body.put("savepointPath", r.savepointPath());
            body.put("allowNonRestoredState", r.allowNonRestoredState());
        }
        JsonNode resp = post("/jars/" + jarId + "/run", body, Duration.ofMinutes(3));
        String jobId = resp.path("jobid").asText("");
        if (jobId.isEmpty()) {
            throw new IOException("the cluster did not start the job: " + resp);
        }
        return jobId;
    }

    /** {@code DELETE /jars/{id}}. */
    public void deleteJar(String jarId) throws IOException {
        send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId)).DELETE().build());
    }

    /**
     * Stop-with-savepoint ({@code POST /jobs/{id}/stop}, no drain), then waits for it; returns the
     * savepoint's location.
     *
     * @param targetDirectory null: the cluster's {@code execution.checkpointing.savepoint-dir}
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        if (targetDirectory != null) {
            body.put("targetDirectory", targetDirectory);
        }
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body, Duration.ofSeconds(30)).path("request-id").asText();
        return awaitSavepoint(jobId, trigger, timeout);
    }

    /** A savepoint of a running job that keeps running ({@code POST /jobs/{id}/savepoints}). */
    public String savepoint(String jobId, String targetDirectory, Duration timeout) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        if (targetDirectory != null) {
            body.put("target-directory", targetDirectory);
        }
        body.put("cancel-job", false);
        String trigger = post("/jobs/" + jobId + "/savepoints", body, Duration.ofSeconds(30))
                .path("request-id").asText();
        return awaitSavepoint(jobId, trigger, timeout);
    }

    private String awaitSavepoint(String jobId, String trigger, Duration timeout) throws IOException {
        if (trigger.isEmpty()) {
            throw new IOException("the cluster did not accept the savepoint request for job " + jobId);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                JsonNode op = s.path("operation");
                if (op.has("location")) {
                    return op.get("location").asText();
                }
                throw new IOException("the savepoint of job " + jobId + " failed: "
                        + firstLine(op.path("failure-cause").path("stack-trace").asText(op.toString())));
            }
            StandaloneCluster.sleep(200);
        }
        throw new IOException("the savepoint of job " + jobId + " did not complete within " + timeout.toSeconds() + " s");
    }

    /** {@code PATCH /jobs/{id}?mode=cancel}. */
    public void cancel(String jobId) throws IOException {
        send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Waits until the job reaches one of {@code states}; returns the state reached. */
    public String awaitState(String jobId, Duration timeout, String... states) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "?";
        while (System.nanoTime() < deadline) {
            state = jobState(jobId);
            for (String s : states) {
                if (s.equals(state)) {
                    return state;
                }
            }
            StandaloneCluster.sleep(200);
        }
        throw new IOException("job " + jobId + " is " + state + ", not " + String.join("/", states) + ", after "
                + timeout.toSeconds() + " s");
    }

    /** True when every vertex of the job runs (RUNNING state alone says only that it was scheduled). */
    public boolean allTasksRunning(String jobId) throws IOException {
        JsonNode j = job(jobId);
        if (!"RUNNING".equals(j.path("state").asText())) {
            return false;
        }
        for (JsonNode v : j.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    public JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build());
    }

    private JsonNode send(HttpRequest req) throws IOException {
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + req.uri(), e);
        } catch (java.net.ConnectException e) {
            throw new IOException("no Flink REST API at " + base + ": start a cluster (rnnstream cluster start) or "
                    + "pass the right --rest", e);
        }
        String text = resp.body() == null ? "" : resp.body();
        JsonNode node = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        if (resp.statusCode() >= 400) {
            String errors = node.has("errors") ? firstLine(node.get("errors").toString()) : text;
            throw new IOException(req.method() + " " + req.uri().getPath() + " failed (" + resp.statusCode() + "): "
                    + errors);
        }
        return node;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
