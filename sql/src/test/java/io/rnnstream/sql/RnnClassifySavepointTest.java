package io.rnnstream.sql;

import io.rnnstream.connectors.FileConnectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Forward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQL job stopped with a savepoint in the middle of its sequences and started again from it (the
 * same statement, a new job) continues every sequence bit-identically: the first half of each key's
 * steps before the savepoint, the second half after, all equal to {@link Forward#sequences}.
 */
class RnnClassifySavepointTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSavepointMidSequenceRestoresAndContinuesBitIdentically() throws Exception {
        ConformanceCases.Case k = ConformanceCases.all().stream().filter(c -> c.name().equals("onnx-cases/onnx-gru-lstm-stack"))
                .findFirst().orElseThrow();
        float[][][] seqs = k.sequences();
        int t = seqs[0].length;
        int half = t / 2;
        Path events = Files.createDirectories(tmp.resolve("events"));
        Path outputs = tmp.resolve("outputs");
        Files.write(events.resolve("part-1.jsonl"), lines(seqs, 0, half));

        JobClient first = start(k, events, outputs, null);
        String savepoint;
        try {
            waitForLines(outputs, seqs.length * half);
        } finally {
            savepoint = first.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();
        }

        Files.write(events.resolve("part-2.jsonl"), lines(seqs, half, t));
        JobClient second = start(k, events, outputs, savepoint);
        try {
            waitForLines(outputs, seqs.length * t);
        } finally {
            second.cancel().get();
        }

        Map<String, Integer> next = new HashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<String> got = readLines(outputs);
        got.sort(null);
        for (String line : got) {
            JsonNode n = JSON.readTree(line);
            assertTrue(n.get("error").isNull(), line);
            String key = n.get("key").asText();
            int i = Integer.parseInt(key);
            int s = n.get("step").asInt();
            next.merge(key, 1, Integer::sum);
            // A job that had not restored would read part-1 again and answer its steps twice.
            assertTrue(seen.add(key + "/" + s), "step answered twice: " + line);
            float[] want = Forward.sequences(k.model(), seqs[i])[s];
            for (int u = 0; u < want.length; u++) {
                assertEquals(Float.floatToRawIntBits(want[u]),
                        Float.floatToRawIntBits(Float.parseFloat(n.get("output").get(u).asText())), line);
            }
        }
        assertEquals(seqs.length, next.size());
        next.values().forEach(c -> assertEquals(t, c, "every step once, before or after the savepoint"));
    }

    private static List<String> lines(float[][][] seqs, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int s = from; s < to; s++) {
            for (int i = 0; i < seqs.length; i++) {
                out.add(RecordJson.event(new Event(Integer.toString(i), s, Event.NO_TS, seqs[i][s], s == seqs[i].length - 1)));
            }
        }
        return out;
    }

    private static JobClient start(ConformanceCases.Case k, Path events, Path outputs, String savepoint)
            throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(200);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        if (savepoint != null) {
            t.getConfig().set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        SqlScript.register(t);
        t.executeSql("CREATE TABLE events (`key` STRING, step INT, features ARRAY<FLOAT>, `end` BOOLEAN) WITH ("
                + "'connector' = 'filesystem', 'path' = '" + events.toUri() + "', 'format' = 'json',"
                + " 'source.monitor-interval' = '100 ms')");
        t.executeSql("CREATE TABLE outputs (`key` STRING, step INT, output ARRAY<FLOAT>, `final` BOOLEAN,"
                + " error STRING) WITH ('connector' = 'filesystem', 'path' = '" + outputs.toUri() + "',"
                + " 'format' = 'json',"
                // Row formats roll (and commit at the next checkpoint) only by size or age: make it soon.
                + " 'sink.rolling-policy.rollover-interval' = '100 ms', 'sink.rolling-policy.check-interval' = '100 ms')");
        return t.executeSql("INSERT INTO outputs SELECT `key`, step, output, `final`, error FROM RNN_CLASSIFY("
                + "input => TABLE events PARTITION BY `key`, model => '" + k.modelFile() + "', uid => 'rnn')")
                .getJobClient().orElseThrow();
    }

    /** Committed lines only (the file sink's in-progress files start with a dot). */
    private static List<String> readLines(Path dir) {
        return FileConnectors.readCommittedLines(dir);
    }

    private static void waitForLines(Path dir, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (readLines(dir).size() < n) {
            assertTrue(System.nanoTime() < deadline, "waited for " + n + " committed outputs, have "
                    + readLines(dir).size());
            Thread.sleep(100);
        }
    }
}
