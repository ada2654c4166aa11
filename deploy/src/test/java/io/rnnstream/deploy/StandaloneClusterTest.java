package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's processes: they come up on loopback, a killed TaskManager is replaced, all stop. */
class StandaloneClusterTest {
    @TempDir
    Path dir;

    @Test
    void startsKillsReplacesAndStops() throws Exception {
        Process jm;
        try (StandaloneCluster c = StandaloneCluster.start(StandaloneCluster.Settings.of(dir, 1, 2),
                Duration.ofSeconds(90))) {
            jm = c.jobManager();
            JsonNode o = new FlinkRest(c.restUrl()).overview();
            assertEquals(1, o.get("taskmanagers").asInt());
            assertEquals(2, o.get("slots-total").asInt());
            assertTrue(o.get("flink-version").asText().startsWith("2.2"), o.toString());
            assertTrue(StandaloneCluster.readState(dir).orElseThrow().anyAlive());
            assertServesPrometheusMetrics(c.logDir().resolve("jobmanager.log"), "flink_jobmanager_Status_JVM_");
            assertServesPrometheusMetrics(c.logDir().resolve("taskmanager-1.log"), "flink_taskmanager_Status_JVM_");

            Process tm = c.taskManagers().get(0);
            c.killTaskManager(tm);
            assertFalse(tm.isAlive());
            c.startTaskManager();
            // The dead one times out of the cluster; the new one registers.
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline && !onlyNewTaskManager(c)) {
                Thread.sleep(250);
            }
            JsonNode tms = new FlinkRest(c.restUrl()).get("/taskmanagers").get("taskmanagers");
            assertEquals(1, tms.size(), tms.toString());
            assertEquals("tm-2", tms.get(0).get("id").asText());
            assertTrue(Files.size(c.logDir().resolve("jobmanager.log")) > 0);
        }
        assertFalse(jm.isAlive(), "close() stops the JobManager");
        assertTrue(StandaloneCluster.readState(dir).isEmpty());
    }

    /**
     * The process's log names the loopback address its Prometheus reporter took (the first free port of
     * the range, the reporter coming from rnnstream-metrics on the cluster's class path), and a scrape
     * there shows that process's own metrics.
     */
    private static void assertServesPrometheusMetrics(Path log, String expected) throws Exception {
        java.util.regex.Pattern started = java.util.regex.Pattern.compile(
                "Started the Prometheus reporter on (http://127\\.0\\.0\\.1:\\d+/metrics)");
        long deadline = System.currentTimeMillis() + 30_000;
        java.util.regex.Matcher m = started.matcher(Files.readString(log));
        while (!m.find()) {
            assertTrue(System.currentTimeMillis() < deadline, "no Prometheus reporter in " + log);
            Thread.sleep(250);
            m = started.matcher(Files.readString(log));
        }
        var http = java.net.http.HttpClient.newHttpClient();
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(m.group(1)))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(body.contains(expected), m.group(1) + " serves no " + expected + "…");
    }

    private static boolean onlyNewTaskManager(StandaloneCluster c) throws Exception {
        JsonNode tms = new FlinkRest(c.restUrl()).get("/taskmanagers").get("taskmanagers");
        return tms.size() == 1 && tms.get(0).get("id").asText().equals("tm-2");
    }
}
