package io.rnnstream.cli;

import static io.rnnstream.cli.FaultRig.LONG;
import static io.rnnstream.cli.FaultRig.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.deploy.FlinkRest;
import io.rnnstream.deploy.StandaloneCluster;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on the standalone cluster ({@code rnnstream cluster}, no HA service), driven by the
 * commands a user types:
 *
 * <ul>
 *   <li>the JobManager killed with {@code kill -9} mid-stream; a new cluster started in the same
 *       directory; {@code rnnstream submit --from-latest-checkpoint DIR} resumes the job;
 *   <li>long form ({@code -Pfaults}): the broker down for 10 minutes and a busy TaskManager killed
 *       while it is, a spare TaskManager standing by; the job recovers by itself (docs/RELIABILITY.md,
 *       "Broker outage": what a long outage did to the TaskManagers before OutageSafeKafkaSink).
 * </ul>
 *
 * A {@code read_committed} consumer then has every (key, step) exactly once, bit for bit what the step
 * kernel computes.
 */
class JobManagerLossTest {
    static final int KEYS = 100;
    static final int STEPS = 30;
    /** Events a second: the input lasts 15 s, so the JobManager dies mid-stream. */
    static final int RATE = 200;

    @TempDir
    Path dir;

    Model model;
    Path modelFile;
    LocalKafkaBroker broker;
    Path clusterDir;

    @BeforeEach
    void start() throws Exception {
        model = FaultRig.model();
        modelFile = dir.resolve("faults.rnns");
        ModelFile.write(model, modelFile);
        broker = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Duration.ofSeconds(120));
        FaultRig.createTopics(broker.bootstrapServers(), "events", "outputs", "dead-letters");
        clusterDir = dir.resolve("cluster");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            cli("cluster", "stop", "--dir", clusterDir.toString());
        } finally {
            broker.close();
        }
    }

    static RnnstreamTest.Run cli(String... args) {
        return RnnstreamTest.run(args);
    }

    /** {@code rnnstream cluster start} in the test's directory, on a free port; returns the REST address. */
    String startCluster(int taskManagers, int slots) throws Exception {
        RnnstreamTest.Run r = cli("cluster", "start", "--dir", clusterDir.toString(), "--task-managers",
                Integer.toString(taskManagers), "--slots", Integer.toString(slots), "--rest-port",
                Integer.toString(FaultRig.freePort()));
        assertEquals(0, r.rc(), r.err());
        Matcher m = Pattern.compile("web UI and REST API: (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }

    /** {@code rnnstream submit [extra…] -- <job arguments>}; returns the job id. */
    String submit(String restUrl, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("submit", "--rest", restUrl, "--jar",
                System.getProperty("rnnstream.job.jar"), "-p", "2"));
        args.addAll(List.of(extra));
        args.addAll(List.of("--", "--model", modelFile.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--input-topic", "events", "--output-topic", "outputs", "--dlq-topic", "dead-letters"));
        RnnstreamTest.Run r = cli(args.toArray(new String[0]));
        assertEquals(0, r.rc(), r.err());
        Matcher m = Pattern.compile("job (\\S+) submitted").matcher(r.out());
        assertTrue(m.find(), r.out());
        FlinkRest rest = new FlinkRest(restUrl);
        FaultRig.awaitCondition(() -> allTasksRunning(rest, m.group(1)), Duration.ofMinutes(2),
                () -> "job " + m.group(1) + " to run; see " + clusterDir.resolve("log"));
        return m.group(1);
    }

    static boolean allTasksRunning(FlinkRest rest, String job) {
        try {
            return rest.allTasksRunning(job);
        } catch (Exception notYet) {
            return false;
        }
    }

    static long completedCheckpoints(FlinkRest rest, String job) {
        try {
            return rest.checkpoints(job).path("counts").path("completed").asLong();
        } catch (Exception notYet) {
            return -1;
        }
    }

    /** Starts the events flowing; returns once a sixth of the outputs are committed, mid-stream. */
    FaultRig.Producer midStream(FaultRig.Collector outputs, String before) throws InterruptedException {
        FaultRig.Producer producer = new FaultRig.Producer(broker.bootstrapServers(), "events", 0, KEYS, STEPS, RATE);
        outputs.await(KEYS * STEPS / 6, Duration.ofMinutes(2), Duration.ZERO, before);
        return producer;
    }

    @Test
    void killedJobManagerResumesFromTheLatestRetainedCheckpoint() throws Exception {
        String bootstrap = broker.bootstrapServers();
        String restUrl = startCluster(1, 2);
        FlinkRest rest = new FlinkRest(restUrl);
        String job = submit(restUrl);
        try (FaultRig.Collector outputs = new FaultRig.Collector(bootstrap, "outputs")) {
            FaultRig.Producer producer = midStream(outputs, "before the kill");
            long checkpoints = completedCheckpoints(rest, job);
            FaultRig.awaitCondition(() -> completedCheckpoints(rest, job) > checkpoints, Duration.ofMinutes(1),
                    () -> "a checkpoint of job " + job);
            ProcessHandle jm = StandaloneCluster.readState(clusterDir).orElseThrow().jobManager().orElseThrow();
            int committedAtKill = outputs.count();
            int sentAtKill = producer.sent();
            long killed = System.nanoTime();
            jm.destroyForcibly();
            jm.onExit().get();
            // A new cluster in the same directory: stop what is left of the old one (its TaskManagers), start.
            assertEquals(0, cli("cluster", "stop", "--dir", clusterDir.toString()).rc());
            String newRest = startCluster(1, 2);
            String resumed = submit(newRest, "--from-latest-checkpoint", clusterDir.resolve("checkpoints").toString());
            long running = System.nanoTime();
            producer.join();
            List<String> lines = outputs.await(KEYS * STEPS, Duration.ofMinutes(3), Duration.ofSeconds(5),
                    "after the resubmission");
            FaultRig.checkExactlyOnce(model, lines, KEYS, STEPS, "through a JobManager kill -9 and resubmission");
            System.out.printf(Locale.ROOT, "JobManager killed at %d events sent, %d outputs committed; new cluster"
                    + " and job %s running %.1f s later; all %d outputs committed %.1f s after the kill%n", sentAtKill,
                    committedAtKill,
                    resumed, seconds(killed, running), lines.size(), seconds(killed, outputs.lastArrival()));
        }
    }

    @Test
    void brokerOutageWithATaskManagerKilledMeanwhile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LONG, "long form: -Pfaults");
        Duration outage = Duration.ofMinutes(10);
        String bootstrap = broker.bootstrapServers();
        int port = Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1));
        // One slot each, parallelism 2: two busy TaskManagers and a spare.
        String restUrl = startCluster(3, 1);
        FlinkRest rest = new FlinkRest(restUrl);
        String job = submit(restUrl);
        try (FaultRig.Collector outputs = new FaultRig.Collector(bootstrap, "outputs")) {
            // Four times the keys, so that events are still arriving when the broker stops (a minute of them).
            int keys = 4 * KEYS;
            FaultRig.Producer producer = new FaultRig.Producer(bootstrap, "events", 0, keys, STEPS, RATE);
            outputs.await(keys * STEPS / 12, Duration.ofMinutes(2), Duration.ZERO, "before the outage");
            int committedBefore = outputs.count();
            broker.close();
            long down = System.nanoTime();
            assertTrue(committedBefore < keys * STEPS, "the outage must come mid-stream");
            Thread.sleep(outage.toMillis() / 2);
            // A TaskManager that runs tasks (tm-N, the N-th pid in the state file); the spare takes over.
            String busy = null;
            for (var t : rest.get("/taskmanagers").path("taskmanagers")) {
                if (t.path("freeSlots").asInt() < t.path("slotsNumber").asInt()) {
                    busy = t.path("id").asText();
                }
            }
            assertTrue(busy != null && busy.startsWith("tm-"), "no busy TaskManager");
            List<ProcessHandle> alive = StandaloneCluster.readState(clusterDir).orElseThrow().taskManagers();
            // Before OutageSafeKafkaSink, two of the three had exited by now on the sink's abort timing out.
            assertEquals(3, alive.size(), "TaskManagers alive 5 minutes into the outage (docs/RELIABILITY.md,"
                    + " \"Broker outage\"); logs in " + clusterDir.resolve("log"));
            ProcessHandle tm = alive.get(Integer.parseInt(busy.substring(3)) - 1);
            tm.destroyForcibly();
            tm.onExit().get();
            Thread.sleep(Math.max(0, outage.toMillis() - (System.nanoTime() - down) / 1_000_000));
            broker = LocalKafkaBroker.start(dir.resolve("kafka"), port, Duration.ofSeconds(120));
            long up = System.nanoTime();
            producer.join();
            List<String> lines = outputs.await(keys * STEPS, Duration.ofMinutes(15), Duration.ofSeconds(5),
                    "after the outage");
            FaultRig.checkExactlyOnce(model, lines, keys, STEPS, "through a 10-minute broker outage and a TaskManager"
                    + " kill");
            System.out.printf(Locale.ROOT, "broker outage %d s with a TaskManager killed in it (%d of %d outputs"
                    + " committed before it): first commit %.1f s after the broker was back, all %.1f s after;"
                    + " restarts %d; job %s%n", outage.toSeconds(), committedBefore, keys * STEPS,
                    seconds(up, outputs.firstArrivalAfter(up)), seconds(up, outputs.lastArrival()),
                    rest.exceptions(job).path("exceptionHistory").path("entries").size(), rest.jobState(job));
        }
    }
}
