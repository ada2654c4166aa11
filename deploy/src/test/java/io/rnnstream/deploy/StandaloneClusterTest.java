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

    private static boolean onlyNewTaskManager(StandaloneCluster c) throws Exception {
        JsonNode tms = new FlinkRest(c.restUrl()).get("/taskmanagers").get("taskmanagers");
        return tms.size() == 1 && tms.get(0).get("id").asText().equals("tm-2");
    }
}
