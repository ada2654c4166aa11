package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Forward;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every causal conformance case through RNN_CLASSIFY on a MiniCluster: each sequence one key, keys
 * interleaved at random, each key's steps 2j and 2j+1 swapped on the way in. Every output row equals
 * {@link Forward#sequences} at its step bit for bit, in step order, the last one final. All cases run
 * in one job (a UNION ALL of one call per model, each with its own uid).
 */
class RnnClassifyConformanceTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final TypeInformation<Row> EVENTS = new RowTypeInfo(
            new TypeInformation<?>[] {Types.STRING, Types.INT, Types.OBJECT_ARRAY(Types.FLOAT), Types.BOOLEAN},
            new String[] {"key", "step", "features", "end"});

    /** One row per step of every sequence, keys interleaved, steps 2j and 2j+1 of each key swapped. */
    static List<Row> events(String name, float[][][] seqs) {
        Random rnd = new Random(name.hashCode());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < seqs.length; i++) {
            keys.add(name + "/" + i);
        }
        int t = seqs[0].length;
        Map<String, Integer> next = new HashMap<>();
        List<Row> truth = new ArrayList<>();
        while (truth.size() < keys.size() * t) {
            String key = keys.get(rnd.nextInt(keys.size()));
            int s = next.getOrDefault(key, 0);
            if (s < t) {
                next.put(key, s + 1);
                int i = Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
                truth.add(Row.of(key, s, MlPredictConformanceTest.boxed(new float[][] {seqs[i][s]})[0], s == t - 1));
            }
        }
        List<Row> arrival = new ArrayList<>(truth);
        Map<String, Integer> pending = new HashMap<>();
        for (int i = 0; i < arrival.size(); i++) {
            String key = (String) arrival.get(i).getField(0);
            Integer j = pending.remove(key);
            if (j == null) {
                pending.put(key, i);
            } else {
                Row a = arrival.get(j);
                arrival.set(j, arrival.get(i));
                arrival.set(i, a);
            }
        }
        return arrival;
    }

    @Test
    void everyStepMatchesForwardBitForBit() throws Exception {
        List<ConformanceCases.Case> cases = ConformanceCases.all().stream().filter(ConformanceCases.Case::causal)
                .toList();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.createTemporarySystemFunction(RnnClassify.NAME, RnnClassify.class);
        List<Row> rows = new ArrayList<>();
        cases.forEach(k -> rows.addAll(events(k.name(), k.sequences())));
        t.createTemporaryView("events", t.fromDataStream(env.fromData(rows, EVENTS)));
        List<String> selects = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            ConformanceCases.Case k = cases.get(c);
            t.executeSql("CREATE TEMPORARY VIEW e" + c + " AS SELECT * FROM events WHERE key LIKE '" + k.name() + "/%'");
            selects.add("SELECT * FROM RNN_CLASSIFY(input => TABLE e" + c + " PARTITION BY key, model => '"
                    + k.modelFile() + "', uid => 'c" + c + "')");
        }
        Map<String, ConformanceCases.Case> byName = new HashMap<>();
        cases.forEach(k -> byName.put(k.name(), k));
        Map<String, Integer> nextStep = new HashMap<>();
        try (CloseableIterator<Row> it = t.executeSql(String.join(" UNION ALL ", selects)).collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                String key = r.getFieldAs("key");
                assertNull(r.getField("error"), key + ": " + r);
                String name = key.substring(0, key.lastIndexOf('/'));
                int i = Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
                ConformanceCases.Case k = byName.get(name);
                int step = r.getFieldAs("step");
                assertEquals((int) nextStep.getOrDefault(key, 0), step, key + ": in step order");
                nextStep.put(key, step + 1);
                int steps = k.sequences()[i].length;
                assertEquals(step == steps - 1, r.getFieldAs("final"), key + " step " + step);
                float[] want = Forward.sequences(k.model(), k.sequences()[i])[step];
                assertArrayEquals(MlPredictConformanceTest.bits(want),
                        MlPredictConformanceTest.bits(MlPredictConformanceTest.unboxed(r.getFieldAs("output"))),
                        key + " step " + step);
            }
        }
        int keys = cases.stream().mapToInt(k -> k.sequences().length).sum();
        assertEquals(keys, nextStep.size(), "keys");
        assertTrue(nextStep.entrySet().stream().allMatch(
                en -> en.getValue() == byName.get(en.getKey().substring(0, en.getKey().lastIndexOf('/')))
                        .sequences()[0].length), "every step of every key");
    }
}
