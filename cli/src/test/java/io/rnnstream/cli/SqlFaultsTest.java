package io.rnnstream.cli;

import static io.rnnstream.cli.FaultRig.LONG;
import static io.rnnstream.cli.FaultRig.seconds;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import io.rnnstream.deploy.FlinkRest;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.sql.OutageSafeKafkaTableFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream sql -f} over Kafka (embedded Flink, exactly-once, RNN_CLASSIFY) through a broker
 * outage mid-stream, as {@link StreamFaultsTest} does for the DataStream job: the outputs table uses
 * {@code 'connector' = 'rnnstream-kafka'} ({@link OutageSafeKafkaTableFactory}), and afterwards a
 * {@code read_committed} consumer has every (key, step) exactly once, bit for bit. The short form's
 * client timeouts are shorter than its 30 s outage, so that the sink's writer fails and is closed while
 * the broker is away: with Flink's own {@code 'kafka'} sink that close stops the TaskManager and the job
 * never comes back (-Drnnstream.faults.sql-connector=kafka shows it); the long form ({@code -Pfaults})
 * is 10 minutes with the client defaults.
 */
class SqlFaultsTest {
    static final int KEYS = LONG ? 400 : 100;
    static final int STEPS = 30;
    static final int RATE = LONG ? 400 : 200;
    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("rnnstream.faults.outage-s", LONG ? 600 : 30));
    static final String CONNECTOR = System.getProperty("rnnstream.faults.sql-connector",
            OutageSafeKafkaTableFactory.IDENTIFIER);
    static final String CLIENT_TIMEOUTS = LONG ? "" : ", 'properties.delivery.timeout.ms' = '10000',"
            + " 'properties.request.timeout.ms' = '5000', 'properties.max.block.ms' = '5000'";

    @TempDir
    Path dir;

    private LocalKafkaBroker broker;
    private Process sql;
    private FaultRig.Collector outputs;

    @AfterEach
    void stop() throws Exception {
        try {
            if (outputs != null) {
                outputs.close();
            }
            FaultRig.stop(sql);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void aSqlJobRidesOutABrokerOutageAndLosesAndRepeatsNothing() throws Exception {
        Model model = FaultRig.model();
        Path modelFile = dir.resolve("faults.rnns");
        ModelFile.write(model, modelFile);
        broker = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Duration.ofSeconds(120));
        String bootstrap = broker.bootstrapServers();
        int brokerPort = Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1));
        FaultRig.createTopics(bootstrap, "events", "outputs");
        Path script = dir.resolve("job.sql");
        Files.writeString(script, script(bootstrap, modelFile));
        int ui = FaultRig.freePort();
        sql = FaultRig.cli(dir, "sql", List.of("sql", "-f", script.toString(), "--parallelism", "2",
                "--web-ui-port", Integer.toString(ui), "--checkpoint-dir", dir.resolve("checkpoints").toString()));
        FlinkRest rest = new FlinkRest("http://127.0.0.1:" + ui);
        FaultRig.awaitCondition(() -> running(rest) || !sql.isAlive(), Duration.ofMinutes(2),
                () -> "the SQL job to run; see " + dir.resolve("sql.out"));
        assertTrue(sql.isAlive(), "rnnstream sql exited: see " + dir.resolve("sql.out"));
        outputs = new FaultRig.Collector(bootstrap, "outputs");

        FaultRig.Producer producer = new FaultRig.Producer(bootstrap, "events", 0, KEYS, STEPS, RATE);
        outputs.await(KEYS * STEPS / 6, Duration.ofMinutes(2), Duration.ZERO, "before the outage");
        int restartsBefore = restarts(rest);
        int committedBefore = outputs.count();
        broker = FaultRig.brokerOutage(broker, dir.resolve("kafka"), brokerPort, OUTAGE);
        long up = System.nanoTime();
        assertTrue(sql.isAlive(), "rnnstream sql exited during the outage: see " + dir.resolve("sql.out"));
        producer.join();
        List<String> lines = outputs.await(KEYS * STEPS, Duration.ofMinutes(5), Duration.ofSeconds(5),
                "after the outage (" + CONNECTOR + " sink; see " + dir.resolve("sql.log") + ")");
        FaultRig.checkExactlyOnce(model, lines, KEYS, STEPS, "SQL through a " + OUTAGE.toSeconds() + " s broker outage");
        int restarts = restarts(rest) - restartsBefore;
        System.out.printf(Locale.ROOT, "SQL, broker outage %d s (%d outputs committed before): first commit %.1f s"
                + " after the broker was back, all %d outputs %.1f s after; the job restarted %d times; sink writers"
                + " closed without their abort: %d%n", OUTAGE.toSeconds(), committedBefore,
                seconds(up, outputs.firstArrivalAfter(up)), lines.size(), seconds(up, outputs.lastArrival()), restarts,
                FaultRig.linesContaining(dir.resolve("sql.log"), "Closed the Kafka sink writer without aborting"));
        if (!LONG) {
            assertTrue(restarts > 0, "the outage outlasted the client timeouts: the sink must have failed and been"
                    + " closed, and the job restarted");
        }
    }

    private String script(String bootstrap, Path model) {
        return "CREATE TABLE events (`key` STRING, step INT, ts BIGINT, features ARRAY<FLOAT>, `end` BOOLEAN) WITH ("
                + " 'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = '" + bootstrap + "',"
                + " 'properties.group.id' = 'sql-faults', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');\n"
                // Keyed by `key`: one key's outputs share a partition, so a consumer sees them in step order.
                + "CREATE TABLE outputs (`key` STRING, step INT, output ARRAY<FLOAT>, `final` BOOLEAN) WITH ("
                + " 'connector' = '" + CONNECTOR + "', 'topic' = 'outputs', 'properties.bootstrap.servers' = '"
                + bootstrap + "', 'key.format' = 'raw', 'key.fields' = 'key', 'value.format' = 'json',"
                + " 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'sql-faults',"
                + " 'properties.transaction.timeout.ms' = '900000'" + CLIENT_TIMEOUTS + ");\n"
                + "INSERT INTO outputs SELECT `key`, step, output, `final` FROM RNN_CLASSIFY(input => TABLE events"
                + " PARTITION BY `key`, model => '" + model + "', uid => 'rnn');\n";
    }

    private static boolean running(FlinkRest rest) {
        try {
            var jobs = rest.jobs();
            return jobs.size() == 1 && rest.allTasksRunning(jobs.get(0).id());
        } catch (Exception notYet) {
            return false;
        }
    }

    private static int restarts(FlinkRest rest) throws Exception {
        return rest.exceptions(rest.jobs().get(0).id()).path("exceptionHistory").path("entries").size();
    }
}
