package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Forward;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ML_PREDICT} through the 'rnnstream' provider: every conformance case, causal or not, each
 * sequence one row, on a MiniCluster; the final output equals {@link Forward#predict}'s last row bit
 * for bit. All cases run in one job (a UNION ALL of one ML_PREDICT per model) to keep the test short.
 */
class MlPredictConformanceTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final TypeInformation<Row> SEQUENCES = new RowTypeInfo(
            new TypeInformation<?>[] {Types.STRING, Types.INT, Types.OBJECT_ARRAY(Types.OBJECT_ARRAY(Types.FLOAT))},
            new String[] {"name", "i", "features"});

    /** The environment behind the last {@link #tableEnv()}: its streams feed that table environment. */
    private static final ThreadLocal<StreamExecutionEnvironment> ENV = new ThreadLocal<>();

    static StreamTableEnvironment tableEnv() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ENV.set(env);
        return StreamTableEnvironment.create(env);
    }

    /** A table of (name, i, features) rows, the floats exactly as given. */
    static void sequences(StreamTableEnvironment t, String table, List<Row> rows) {
        t.createTemporaryView(table, t.fromDataStream(ENV.get().fromData(rows, SEQUENCES)));
    }

    @Test
    void finalOutputsMatchPredictBitForBit() throws Exception {
        List<ConformanceCases.Case> cases = ConformanceCases.all();
        StreamTableEnvironment t = tableEnv();
        List<Row> rows = new ArrayList<>();
        List<String> views = new ArrayList<>();
        List<String> selects = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            ConformanceCases.Case k = cases.get(c);
            for (int i = 0; i < k.sequences().length; i++) {
                rows.add(Row.of(k.name(), i, boxed(k.sequences()[i])));
            }
            t.executeSql("CREATE TEMPORARY MODEL m" + c + " INPUT (features ARRAY<ARRAY<FLOAT>>)"
                    + " OUTPUT (output ARRAY<FLOAT>, label STRING, error STRING)"
                    + " WITH ('provider' = 'rnnstream', 'path' = '" + k.modelFile() + "')");
            views.add("CREATE TEMPORARY VIEW s" + c + " AS SELECT * FROM seqs WHERE name = '" + k.name() + "'");
            selects.add("SELECT name, i, output, label, error FROM ML_PREDICT(TABLE s" + c + ", MODEL m" + c
                    + ", DESCRIPTOR(features))");
        }
        sequences(t, "seqs", rows);
        views.forEach(t::executeSql);
        Map<String, ConformanceCases.Case> byName = new HashMap<>();
        cases.forEach(k -> byName.put(k.name(), k));
        int seen = 0;
        try (CloseableIterator<Row> it = t.executeSql(String.join(" UNION ALL ", selects)).collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                ConformanceCases.Case k = byName.get((String) r.getField("name"));
                int i = r.getFieldAs("i");
                float[][] want = Forward.predict(k.model(), k.sequences()[i]);
                float[] got = unboxed(r.getFieldAs("output"));
                assertNull(r.getField("error"), k.name() + " #" + i);
                assertArrayEquals(bits(want[want.length - 1]), bits(got), k.name() + " #" + i);
                seen++;
            }
        }
        assertEquals(rows.size(), seen, "one prediction per sequence");
    }

    @Test
    void aBadRowComesOutWithItsErrorAndTheJobGoesOn() throws Exception {
        ConformanceCases.Case k = ConformanceCases.all().get(0);
        int d = k.model().inputSize();
        StreamTableEnvironment t = tableEnv();
        sequences(t, "seqs", List.of(Row.of("wrong", 0, new Float[][] {new Float[d + 1]}),
                Row.of("nan", 1, new Float[][] {filled(d, Float.NaN)}), Row.of("good", 2, boxed(k.sequences()[0]))));
        t.executeSql("CREATE TEMPORARY MODEL m INPUT (f ARRAY<ARRAY<FLOAT>>) OUTPUT (error STRING, output ARRAY<FLOAT>)"
                + " WITH ('provider' = 'rnnstream', 'path' = '" + k.modelFile() + "')");
        Map<String, Row> byName = new HashMap<>();
        try (CloseableIterator<Row> it = t.executeSql(
                "SELECT name, error, output FROM ML_PREDICT(TABLE seqs, MODEL m, DESCRIPTOR(features))").collect()) {
            it.forEachRemaining(r -> byName.put(r.getFieldAs("name"), r));
        }
        assertEquals("step 0 has " + (d + 1) + " features, the model expects " + d, byName.get("wrong").getField(1));
        assertEquals("step 0, feature 0 is NaN", byName.get("nan").getField(1));
        assertNull(byName.get("good").getField(1));
        assertNull(byName.get("wrong").getField(2));
    }

    @Test
    void aWrongDeclarationFailsTheStatementNotTheJob() {
        ConformanceCases.Case k = ConformanceCases.all().get(0);
        StreamTableEnvironment t = tableEnv();
        sequences(t, "seqs", List.of());
        t.executeSql("CREATE TEMPORARY MODEL m INPUT (f ARRAY<ARRAY<FLOAT>>) OUTPUT (score DOUBLE)"
                + " WITH ('provider' = 'rnnstream', 'path' = '" + k.modelFile() + "')");
        Exception e = assertThrows(Exception.class, () -> t.executeSql(
                "SELECT * FROM ML_PREDICT(TABLE seqs, MODEL m, DESCRIPTOR(features))"));
        assertTrue(causes(e).contains("a 'rnnstream' model has no output column 'score'"), causes(e));
        assertTrue(e instanceof ValidationException || e instanceof TableException, e.toString());
    }

    static String causes(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    static Float[] filled(int n, float v) {
        Float[] a = new Float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static Float[][] boxed(float[][] x) {
        Float[][] out = new Float[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = new Float[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                out[t][i] = x[t][i];
            }
        }
        return out;
    }

    static float[] unboxed(Float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    static int[] bits(float[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.floatToRawIntBits(x[i]);
        }
        return out;
    }
}
