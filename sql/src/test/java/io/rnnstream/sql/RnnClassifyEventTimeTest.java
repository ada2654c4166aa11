package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RNN_CLASSIFY ordering by event time ({@code on_time}, rows without {@code step}): the DataStream job's
 * {@code --order event-time}. Every causal conformance case with each key's rows shuffled within the
 * watermark's bound gives, bit for bit, what the step-ordered path gives for the same rows shuffled with
 * their steps (both equal to {@link Forward#sequences}); a full buffer gives error rows with the reason;
 * held rows the watermark releases past an idle deadline end the sequence by timeout first; late rows
 * are dropped by Flink itself (docs/SQL.md).
 */
class RnnClassifyEventTimeTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final TypeInformation<Row> EVENTS = new RowTypeInfo(new TypeInformation<?>[] {Types.STRING, Types.INT,
        Types.INSTANT, Types.OBJECT_ARRAY(Types.FLOAT), Types.BOOLEAN}, new String[] {"key", "step", "ts", "features",
        "end"});

    /** The watermark trails the largest ts by this much; the shuffle moves no row further. */
    static final long BOUND_MS = 1_000;

    static Schema schema() {
        return Schema.newBuilder().column("key", "STRING").column("step", "INT").column("ts", "TIMESTAMP_LTZ(3)")
                .column("features", "ARRAY<FLOAT>").column("end", "BOOLEAN")
                .watermark("ts", "ts - INTERVAL '" + BOUND_MS / 1000 + "' SECOND").build();
    }

    /**
     * Every step of every sequence, keys interleaved at random, 10 ms apart in event time; then shuffled
     * in blocks of 50 rows (490 ms, under the watermark's bound): no row arrives behind the watermark.
     */
    static List<Row> shuffled(String name, float[][][] seqs, long t0) {
        Random rnd = new Random(name.hashCode());
        int t = seqs[0].length;
        Map<Integer, Integer> next = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        long ts = t0;
        while (rows.size() < seqs.length * t) {
            int i = rnd.nextInt(seqs.length);
            int s = next.getOrDefault(i, 0);
            if (s < t) {
                next.put(i, s + 1);
                rows.add(Row.of(name + "/" + i, s, Instant.ofEpochMilli(ts), MlPredictConformanceTest.boxed(
                        new float[][] {seqs[i][s]})[0], s == t - 1));
                ts += 10;
            }
        }
        for (int from = 0; from < rows.size(); from += 50) {
            Collections.shuffle(rows.subList(from, Math.min(rows.size(), from + 50)), rnd);
        }
        return rows;
    }

    @Test
    void shuffledWithinTheWatermarkBoundEveryStepMatchesTheStepOrderedPathBitForBit() throws Exception {
        List<ConformanceCases.Case> cases = ConformanceCases.all().stream().filter(ConformanceCases.Case::causal)
                .toList();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.createTemporarySystemFunction(RnnClassify.NAME, RnnClassify.class);
        List<Row> rows = new ArrayList<>();
        long t0 = 1_000_000;
        for (ConformanceCases.Case k : cases) {
            rows.addAll(shuffled(k.name(), k.sequences(), t0));
            // The next case starts well after this one's last row (10 ms a row).
            t0 += 10L * k.sequences().length * k.sequences()[0].length + 10_000;
        }
        t.createTemporaryView("events", t.fromDataStream(env.fromData(rows, EVENTS), schema()));
        List<String> selects = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            ConformanceCases.Case k = cases.get(c);
            String where = " FROM events WHERE key LIKE '" + k.name() + "/%'";
            // The same rows twice: without their step, ordered by ts; with it, ordered by step.
            t.executeSql("CREATE TEMPORARY VIEW byts" + c + " AS SELECT key, ts, features, `end`" + where);
            t.executeSql("CREATE TEMPORARY VIEW bystep" + c + " AS SELECT key, step, features, `end`" + where);
            String model = "model => '" + k.modelFile() + "'";
            selects.add("SELECT 'ts' AS path, key, step, output, `final`, error FROM RNN_CLASSIFY(input => TABLE byts"
                    + c + " PARTITION BY key, " + model + ", on_time => DESCRIPTOR(ts), uid => 't" + c + "')");
            selects.add("SELECT 'step' AS path, key, step, output, `final`, error FROM RNN_CLASSIFY(input => TABLE"
                    + " bystep" + c + " PARTITION BY key, " + model + ", uid => 's" + c + "')");
        }
        Map<String, ConformanceCases.Case> byName = new HashMap<>();
        cases.forEach(k -> byName.put(k.name(), k));
        Map<String, Integer> nextStep = new HashMap<>();
        Map<String, int[]> bits = new HashMap<>();
        try (CloseableIterator<Row> it = t.executeSql(String.join(" UNION ALL ", selects)).collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                String path = r.getFieldAs("path");
                String key = r.getFieldAs("key");
                assertNull(r.getField("error"), path + " " + key + ": " + r);
                String name = key.substring(0, key.lastIndexOf('/'));
                int i = Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
                ConformanceCases.Case k = byName.get(name);
                int step = r.getFieldAs("step");
                assertEquals((int) nextStep.getOrDefault(path + key, 0), step, path + " " + key + ": in step order");
                nextStep.put(path + key, step + 1);
                assertEquals(step == k.sequences()[i].length - 1, r.getFieldAs("final"), key + " step " + step);
                int[] got = MlPredictConformanceTest.bits(MlPredictConformanceTest.unboxed(r.getFieldAs("output")));
                int[] other = bits.put((path.equals("ts") ? "step" : "ts") + key + "@" + step, got);
                bits.put(path + key + "@" + step, got);
                if (other != null) {
                    assertArrayEquals(other, got, key + " step " + step + ": the two paths");
                }
                assertArrayEquals(MlPredictConformanceTest.bits(Forward.sequences(k.model(), k.sequences()[i])[step]),
                        got, path + " " + key + " step " + step);
            }
        }
        int keys = cases.stream().mapToInt(k -> k.sequences().length).sum();
        assertEquals(2 * keys, nextStep.size(), "keys of both paths");
        assertTrue(nextStep.entrySet().stream().allMatch(en -> {
            String key = en.getKey().substring(en.getKey().startsWith("ts") ? 2 : 4);
            return en.getValue() == byName.get(key.substring(0, key.lastIndexOf('/'))).sequences()[0].length;
        }), "every step of every key on both paths");
    }

    @Test
    void fullBuffersIdleDeadlinesAndLateRows() throws Exception {
        Model model = ModelLoader.load(RnnClassifyRulesTest.MODEL);
        List<Row> rows = new ArrayList<>();
        float[][] xs = new float[3][model.inputSize()];
        for (int s = 0; s < xs.length; s++) {
            for (int i = 0; i < xs[s].length; i++) {
                xs[s][i] = (s * 7 + i) % 5 / 5f - 0.4f;
            }
        }
        Float[][] x = MlPredictConformanceTest.boxed(xs);
        // "a": two rows swapped in time; the watermark (20 s - 1 s, after "w") passes both and a's idle
        // deadline (5 s after 1001): released in ts order, then the timeout, then a new sequence at 20 s.
        rows.add(Row.of("a", null, Instant.ofEpochMilli(1_001), x[1], false));
        rows.add(Row.of("a", null, Instant.ofEpochMilli(1_000), x[0], false));
        // "f": three rows waiting while the buffer holds two (max_buffered_steps => 2).
        rows.add(Row.of("f", null, Instant.ofEpochMilli(1_100), x[0], false));
        rows.add(Row.of("f", null, Instant.ofEpochMilli(1_101), x[1], false));
        rows.add(Row.of("f", null, Instant.ofEpochMilli(1_102), x[2], false));
        rows.add(Row.of("w", null, Instant.ofEpochMilli(20_000), x[0], true));
        // Behind the watermark (19 s) now: late. Flink 2.2.1's PTF runtime drops such a row before the
        // function sees it (ProcessTableRunner.processEval: rowtime <= watermark), so it yields no row at
        // all, not the order stage's error row; this test says so, so that a Flink that passes it on shows.
        rows.add(Row.of("a", null, Instant.ofEpochMilli(18_000), x[2], false));
        rows.add(Row.of("a", null, Instant.ofEpochMilli(20_001), x[0], false));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // A watermark after every row that raises it, so which rows are late does not depend on timing.
        env.getConfig().setAutoWatermarkInterval(0);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        SqlScript.register(t);
        t.createTemporaryView("events", t.fromDataStream(env.fromData(rows, EVENTS), schema()));
        t.executeSql("CREATE TEMPORARY VIEW byts AS SELECT key, ts, features, `end` FROM events");
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        Map<String, float[]> outputs = new LinkedHashMap<>();
        try (CloseableIterator<Row> it = t.executeSql("SELECT * FROM RNN_CLASSIFY(input => TABLE byts PARTITION BY key, model => '" + RnnClassifyRulesTest.MODEL + "',"
                + " idle_timeout => '5 s', max_buffered_steps => 2, on_time => DESCRIPTOR(ts), uid => 'order')")
                .collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                String key = r.getFieldAs("key");
                String error = r.getFieldAs("error");
                String what = error != null ? "error: " + error.substring(0, error.indexOf(':'))
                        : r.getField("step") + (Boolean.TRUE.equals(r.getField("final")) ? " final" : "")
                                + (r.getField("reason") != null ? " " + r.getField("reason") : "");
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(what);
                if (r.getField("output") != null) {
                    outputs.put(key + " " + what, MlPredictConformanceTest.unboxed(r.getFieldAs("output")));
                }
            }
        }
        assertEquals(List.of("0", "1", "1 final idle-timeout", "0", "0 final end-of-input"),
                byKey.get("a"));
        assertEquals(List.of("error: buffer full", "0", "1", "1 final idle-timeout"), byKey.get("f"));
        assertEquals(List.of("0 final"), byKey.get("w"));
        float[][] want = Forward.sequences(model, xs);
        for (String k : List.of("a 0", "a 1", "a 1 final idle-timeout", "f 1 final idle-timeout")) {
            int step = Integer.parseInt(k.split(" ")[1]);
            assertArrayEquals(MlPredictConformanceTest.bits(want[step]), MlPredictConformanceTest.bits(outputs.get(k)),
                    k);
        }
    }
}
