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
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;

/**
 * The few calls of Flink's REST API a deployment needs: upload a job jar, run it (optionally from a
 * savepoint, at a given parallelism), watch it, stop it with a savepoint, cancel it.
 *
 * <p>Listing, cancelling and savepoints go through Flink's own client ({@link RestClusterClient}),
 * which knows the messages, polls the savepoint's trigger and maps the errors. Uploading and running a
 * jar stay plain HTTP calls here: {@code RestClusterClient} has no call for the web submission
 * endpoints ({@code /jars/upload}, {@code /jars/{id}/run}); it submits a job graph compiled in the
 * client, which would run the job's {@code main()} in the CLI instead of on the JobManager. The
 * monitoring reads (overview, checkpoints, exceptions) stay JSON, which is what their callers read.
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

    /** One job as {@link #jobs()} lists it. */
    public record JobSummary(String id, String name, String state) {}

    /** The cluster's jobs, running and finished. */
    public List<JobSummary> jobs() throws IOException {
        Collection<JobStatusMessage> jobs = withClient("listing the jobs", RestClusterClient::listJobs,
                Duration.ofSeconds(30));
        return jobs.stream()
                .map(j -> new JobSummary(j.getJobId().toHexString(), j.getJobName(), j.getJobState().name()))
                .toList();
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
     * Stop-with-savepoint (no drain), then waits for it; returns the savepoint's location.
     *
     * @param targetDirectory null: the cluster's {@code execution.checkpointing.savepoint-dir}
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) throws IOException {
        return withClient("the savepoint of job " + jobId, c -> c.stopWithSavepoint(jobId(jobId), false,
                targetDirectory, SavepointFormatType.CANONICAL), timeout);
    }

    /** A savepoint of a running job that keeps running. */
    public String savepoint(String jobId, String targetDirectory, Duration timeout) throws IOException {
        return withClient("the savepoint of job " + jobId, c -> c.triggerSavepoint(jobId(jobId), targetDirectory,
                SavepointFormatType.CANONICAL), timeout);
    }

    /** Asks the cluster to cancel the job; {@link #awaitState} tells when it has. */
    public void cancel(String jobId) throws IOException {
        withClient("cancelling job " + jobId, c -> c.cancel(jobId(jobId)), Duration.ofSeconds(30));
    }

    private static JobID jobId(String id) throws IOException {
        try {
            return JobID.fromHexString(id);
        } catch (IllegalArgumentException e) {
            throw new IOException("'" + id + "' is not a Flink job id (32 hex digits): list them with 'rnnstream submit"
                    + " --list'", e);
        }
    }

    /**
     * One call of Flink's client, with a client of its own: these calls are rare (a stop, a cancel), and a
     * client per call leaves no threads behind in a command or a test.
     */
    private <T> T withClient(String what, ClientCall<T> call, Duration timeout) throws IOException {
        URI uri = URI.create(base);
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, uri.getHost());
        conf.set(RestOptions.PORT, uri.getPort());
        try (RestClusterClient<StandaloneClusterId> c = new RestClusterClient<>(conf,
                StandaloneClusterId.getInstance())) {
            return call.apply(c).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new IOException(what + " did not complete within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw failed(what, e.getCause());
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot reach the Flink REST API at " + base + ": " + e.getMessage(), e);
        }
    }

    /** What failed, in one line: Flink's errors carry the whole server stack trace. */
    private IOException failed(String what, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return new IOException("no Flink REST API at " + base + ": start a cluster (rnnstream cluster start)"
                        + " or pass the right --rest", cause);
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IOException(what + " failed: " + firstLine(String.valueOf(root.getMessage())), cause);
    }

    @FunctionalInterface
    private interface ClientCall<T> {
        CompletableFuture<T> apply(RestClusterClient<StandaloneClusterId> client) throws IOException;
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
