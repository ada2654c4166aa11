package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.TableResult;
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
 * The stream's rules through RNN_CLASSIFY with event time ({@code on_time}) and an idle timeout:
 * duplicates, late steps, bad rows (an {@code error} row, the job goes on), the idle-timeout record
 * and the end-of-input record. Each case is decided by its own key's events, not by when watermarks
 * happen to arrive, so the test does not depend on timing.
 */
class RnnClassifyRulesTest {
    /** Keeps the metrics of finished jobs, so that the counts can be read after the input ended. */
    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final Path MODEL = ConformanceCases.ROOT.resolve("cases/kerasjs-GRU-0/model.h5").toAbsolutePath();

    static final TypeInformation<Row> EVENTS = new RowTypeInfo(new TypeInformation<?>[] {Types.STRING, Types.INT,
        Types.INSTANT, Types.OBJECT_ARRAY(Types.FLOAT), Types.BOOLEAN}, new String[] {"key", "step", "ts", "features",
        "end"});

    private final List<Row> rows = new ArrayList<>();
    private Model model;

    private void event(String key, int step, long ts, Float[] x, boolean end) {
        rows.add(Row.of(key, step, Instant.ofEpochMilli(ts), x, end));
    }

    private Float[] x(int step) {
        Float[] v = new Float[model.inputSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (step * 7 + i) % 5 / 5f - 0.4f;
        }
        return v;
    }

    private float[][] xs(int steps) {
        float[][] out = new float[steps][];
        for (int s = 0; s < steps; s++) {
            out[s] = MlPredictConformanceTest.unboxed(x(s));
        }
        return out;
    }

    @Test
    void theStreamsRulesHoldInSql() throws Exception {
        model = ModelLoader.load(MODEL);
        event("a", 0, 1_000, x(0), false);
        event("a", 1, 1_001, x(1), false);
        event("a", 1, 1_002, x(1), false);
        event("b", 0, 1_000, MlPredictConformanceTest.filled(model.inputSize(), Float.NaN), false);
        event("c", 1, 1_000, x(1), true);
        event("c", 0, 1_001, x(0), false);
        event("f", 0, 1_000, new Float[model.inputSize()], false);
        event("c", 1, 1_002, x(1), false);
        // 9 s later: past a's idle deadline (5 s after its last event).
        event("a", 2, 10_000, x(2), false);
        // Last in event time too: only the end of the input (watermark +inf) passes e's deadline.
        event("e", 0, 20_000, x(0), false);
        event("e", 1, 20_001, x(1), false);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        SqlScript.register(t);
        t.createTemporaryView("events", t.fromDataStream(env.fromData(rows, EVENTS),
                Schema.newBuilder().column("key", "STRING").column("step", "INT").column("ts", "TIMESTAMP_LTZ(3)")
                        .column("features", "ARRAY<FLOAT>").column("end", "BOOLEAN")
                        .watermark("ts", "ts - INTERVAL '1' SECOND").build()));
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        Map<String, float[]> outputs = new LinkedHashMap<>();
        TableResult result = t.executeSql("SELECT * FROM RNN_CLASSIFY(input => TABLE events PARTITION BY"
                + " key, model => '" + MODEL + "', idle_timeout => '5 s', on_time => DESCRIPTOR(ts),"
                + " uid => 'rules')");
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                String key = r.getFieldAs("key");
                String what = r.getField("error") != null ? "error: " + r.getField("error")
                        : r.getField("step") + (Boolean.TRUE.equals(r.getField("final")) ? " final" : "")
                                + (r.getField("reason") != null ? " " + r.getField("reason") : "");
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(what);
                if (r.getField("output") != null) {
                    outputs.put(key + " " + what, MlPredictConformanceTest.unboxed(r.getFieldAs("output")));
                }
            }
        }
        assertEquals(List.of("0", "1", "error: duplicate: step 1 was already applied", "1 final idle-timeout",
                "error: late: step 2 arrived after its sequence ended at step 1 (idle timeout)"), byKey.get("a"));
        assertEquals(List.of("error: feature 0 is NaN"), byKey.get("b"));
        assertEquals(List.of("0", "1 final", "error: late: step 1 arrived after its sequence ended at step 1"),
                byKey.get("c"));
        assertEquals(List.of("0", "1", "1 final end-of-input"), byKey.get("e"));
        assertEquals(List.of("error: feature 0 is null"), byKey.get("f"));

        // The error rows counted by kind, as the DataStream job counts its dead letters.
        Map<String, Long> byReason = deadLettersByReason(result.getJobClient().orElseThrow().getJobID());
        assertEquals(1L, byReason.get("duplicate_step"), byReason.toString());
        assertEquals(2L, byReason.get("late_step"), byReason.toString());
        assertEquals(1L, byReason.get("non_finite"), byReason.toString());
        assertEquals(1L, byReason.get("bad_field"), byReason.toString());
        assertEquals(5L, byReason.values().stream().mapToLong(Long::longValue).sum(), byReason.toString());

        float[][] want = Forward.sequences(model, xs(2));
        for (String k : List.of("a 0", "a 1", "a 1 final idle-timeout", "c 1 final", "e 1 final end-of-input")) {
            int step = Integer.parseInt(k.split(" ")[1]);
            assertArrayEquals(MlPredictConformanceTest.bits(want[step]), MlPredictConformanceTest.bits(outputs.get(k)),
                    k);
        }
    }

    /** The function's rnnstream.reason.<reason>.deadLetters gauges, by reason. */
    private static Map<String, Long> deadLettersByReason(JobID job) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Metric> m : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            String id = m.getKey();
            int at = id.indexOf(".rnnstream.reason.");
            if (at >= 0 && id.endsWith(".deadLetters")) {
                String reason = id.substring(at + ".rnnstream.reason.".length(), id.length() - ".deadLetters".length());
                out.merge(reason, ((Number) ((Gauge<?>) m.getValue()).getValue()).longValue(), Long::sum);
            }
        }
        return out;
    }
}
