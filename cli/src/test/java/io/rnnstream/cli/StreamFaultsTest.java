package io.rnnstream.cli;

import static io.rnnstream.cli.FaultRig.LONG;
import static io.rnnstream.cli.FaultRig.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.deploy.FlinkRest;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream stream} over Kafka (embedded Flink, exactly-once), run as a user runs it, through the
 * faults it must ride out by itself, one after the other on one running job:
 *
 * <ol>
 *   <li>the broker stopped mid-stream and restarted on the same port and data directory (30 s; 10 min in
 *       the long form, {@code -Pfaults});
 *   <li>the checkpoint storage refusing writes for 20 s;
 *   <li>the checkpoint storage full for 20 s (a small tmpfs; needs root to mount it, skipped otherwise).
 * </ol>
 *
 * After each, a {@code read_committed} consumer has every (key, step) exactly once, bit for bit what the
 * step kernel computes. The job's own REST API (its {@code --web-ui-port}) says how often it restarted.
 *
 * <p>The long form's 10-minute outage is what {@link io.rnnstream.connectors.kafka.OutageSafeKafkaSink}
 * is for: without it the sink's abort times out while Flink handles the writer's failure, which Flink
 * treats as fatal, and the embedded Flink's only TaskManager stops for good (docs/RELIABILITY.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamFaultsTest {
    static final int KEYS = LONG ? 400 : 100;
    static final int STEPS = 30;
    /** Events a second: the input lasts 15 s (30 s in the long form), so each fault lands mid-stream. */
    static final int RATE = LONG ? 400 : 200;
    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("rnnstream.faults.outage-s", LONG ? 600 : 30));
    /**
     * The short form's client timeouts are shorter than its 30 s outage, so that it takes the path a
     * 10-minute outage takes with the defaults (the long form's): the sink's records expire, the writer
     * fails, its close cannot abort, the job restarts. Others: -Drnnstream.faults.stream-args="--kafka-property k=v".
     */
    static final List<String> STREAM_ARGS = List.of(System.getProperty("rnnstream.faults.stream-args", LONG ? ""
            : "--kafka-property delivery.timeout.ms=10000 --kafka-property request.timeout.ms=5000"
                    + " --kafka-property max.block.ms=5000").trim()
            .split("\\s+")).stream().filter(a -> !a.isEmpty()).toList();
    /** How long the checkpoint storage stays unwritable, or full. */
    static final Duration STORAGE_FAULT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static Model model;
    static LocalKafkaBroker broker;
    static int brokerPort;
    static Process stream;
    static FlinkRest rest;
    static FaultRig.Collector outputs;
    static Path checkpoints;
    static boolean smallDisk;

    @BeforeAll
    static void start() throws Exception {
        model = FaultRig.model();
        Path modelFile = dir.resolve("faults.rnns");
        ModelFile.write(model, modelFile);
        broker = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Duration.ofSeconds(120));
        brokerPort = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().indexOf(':') + 1));
        FaultRig.createTopics(broker.bootstrapServers(), "events", "outputs", "dead-letters");
        // The job's checkpoints get a disk of their own, so that the last fault can fill it.
        checkpoints = dir.resolve("checkpoints");
        smallDisk = FaultRig.mountSmallDisk(checkpoints, 64);
        int ui = FaultRig.freePort();
        List<String> args = new java.util.ArrayList<>(List.of("stream", "--model", modelFile.toString(),
                "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", "events", "--output-topic", "outputs",
                "--dlq-topic", "dead-letters", "--parallelism", "2", "--web-ui-port", Integer.toString(ui),
                "--checkpoint-dir", checkpoints.toString()));
        args.addAll(STREAM_ARGS);
        stream = FaultRig.cli(dir, "stream", args);
        rest = new FlinkRest("http://127.0.0.1:" + ui);
        FaultRig.awaitCondition(() -> jobRunning() || !stream.isAlive(), Duration.ofMinutes(2),
                () -> "the stream job to run; see " + dir.resolve("stream.out"));
        assertTrue(stream.isAlive(), "rnnstream stream exited: see " + dir.resolve("stream.out"));
        outputs = new FaultRig.Collector(broker.bootstrapServers(), "outputs");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (outputs != null) {
                outputs.close();
            }
            FaultRig.stop(stream);
        } finally {
            try {
                if (broker != null) {
                    broker.close();
                }
            } finally {
                if (smallDisk) {
                    FaultRig.unmountSmallDisk(checkpoints);
                }
            }
        }
    }

    static boolean jobRunning() {
        try {
            return rest.allTasksRunning(jobId());
        } catch (Exception notYet) {
            return false;
        }
    }

    static String jobId() throws Exception {
        var jobs = rest.jobs();
        if (jobs.size() != 1) {
            throw new IllegalStateException("jobs: " + jobs);
        }
        return jobs.get(0).id();
    }

    /** Failures the job restarted from (its exception history). */
    static int restarts() throws Exception {
        return rest.exceptions(jobId()).path("exceptionHistory").path("entries").size();
    }

    @Test
    @Order(1)
    void brokerOutageMidStreamLosesAndRepeatsNothing() throws Exception {
        String bootstrap = broker.bootstrapServers();
        FaultRig.Producer producer = new FaultRig.Producer(bootstrap, "events", 0, KEYS, STEPS, RATE);
        // Mid-stream: events flowing, some outputs committed, the latest in an open transaction.
        outputs.await(KEYS * STEPS / 6, Duration.ofMinutes(2), Duration.ZERO, "before the outage");
        int restartsBefore = restarts();
        int committedBefore = outputs.count();
        int sentBefore = producer.sent();
        long down = System.nanoTime();
        broker = FaultRig.brokerOutage(broker, dir.resolve("kafka"), brokerPort, OUTAGE);
        long up = System.nanoTime();
        assertTrue(stream.isAlive(), "rnnstream stream exited during the outage: see " + dir.resolve("stream.out"));
        producer.join();
        List<String> lines = outputs.await(KEYS * STEPS, Duration.ofMinutes(10), Duration.ofSeconds(5),
                "after the outage");
        FaultRig.checkExactlyOnce(model, lines, KEYS, STEPS, "through a " + OUTAGE.toSeconds() + " s broker outage");
        System.out.printf(Locale.ROOT, "broker outage %d s (at %d events sent, %d outputs committed): first commit"
                + " %.1f s after the broker was back, all %d outputs %.1f s after; the job restarted %d times;"
                + " sink writers closed without their abort (OutageSafeKafkaSink): %d%n",
                OUTAGE.toSeconds(), sentBefore, committedBefore, seconds(up, outputs.firstArrivalAfter(up)),
                lines.size(), seconds(up, outputs.lastArrival()), restarts() - restartsBefore,
                FaultRig.linesContaining(dir.resolve("stream.log"), "Closed the Kafka sink writer without aborting"));
        assertTrue(seconds(down, up) >= OUTAGE.toSeconds());
        if (!LONG && !System.getProperties().containsKey("rnnstream.faults.stream-args")) {
            assertTrue(restarts() > restartsBefore, "the outage outlasted the client timeouts: the sink must have"
                    + " failed and been closed, and the job restarted");
        }
    }

    @Test
    @Order(2)
    void unwritableCheckpointStorageDelaysButLosesNothing() throws Exception {
        checkpointStorageFault(2, "unwritable", () -> FaultRig.freeze(checkpoints),
                () -> FaultRig.unfreeze(checkpoints));
    }

    @Test
    @Order(3)
    void fullCheckpointStorageDelaysButLosesNothing() throws Exception {
        Assumptions.assumeTrue(smallDisk, "needs root, to mount a small tmpfs to fill");
        Path filler = checkpoints.resolve("filler");
        checkpointStorageFault(3, "full", () -> FaultRig.fillDisk(filler), () -> Files.delete(filler));
    }

    interface Action {
        void run() throws Exception;
    }

    /**
     * New keys on the same job (the earlier faults' keys are done): mid-stream, {@code fault} for
     * {@link #STORAGE_FAULT}, then {@code mend}; every output of the {@code round} × {@link #KEYS} keys so
     * far must be there once.
     */
    static void checkpointStorageFault(int round, String what, Action fault, Action mend) throws Exception {
        int keys = round * KEYS;
        int before = outputs.count();
        FaultRig.Producer producer = new FaultRig.Producer(broker.bootstrapServers(), "events", keys - KEYS, keys,
                STEPS, RATE);
        outputs.await(before + KEYS * STEPS / 6, Duration.ofMinutes(2), Duration.ZERO, "before the storage was " + what);
        int restartsBefore = restarts();
        long completedBefore = rest.checkpoints(jobId()).path("counts").path("completed").asLong();
        int committedAtFault = outputs.count();
        long broken = System.nanoTime();
        long mended;
        try {
            fault.run();
            Thread.sleep(STORAGE_FAULT.toMillis());
        } finally {
            mend.run();
            mended = System.nanoTime();
        }
        int committedMeanwhile = outputs.count() - committedAtFault;
        producer.join();
        List<String> lines = outputs.await(keys * STEPS, Duration.ofMinutes(5), Duration.ofSeconds(5),
                "after the checkpoint storage was " + what);
        FaultRig.checkExactlyOnce(model, lines, keys, STEPS, "through " + what + " checkpoint storage");
        JsonNode counts = rest.checkpoints(jobId()).path("counts");
        System.out.printf(Locale.ROOT, "checkpoint storage %s %.1f s: %d outputs committed meanwhile (%d still to"
                + " come), all committed %.1f s after it was mended; checkpoints failed %d, completed %d more; the job"
                + " restarted %d times%n", what, seconds(broken, mended), committedMeanwhile,
                keys * STEPS - committedAtFault, seconds(mended, outputs.lastArrival()), counts.path("failed").asLong(),
                counts.path("completed").asLong() - completedBefore, restarts() - restartsBefore);
        assertEquals(keys * STEPS, lines.size());
    }
}
