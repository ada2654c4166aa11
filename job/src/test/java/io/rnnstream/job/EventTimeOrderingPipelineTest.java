package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.FileConnectors;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Events that carry only {@code ts}, ordered by event time on a MiniCluster at parallelism 2. */
class EventTimeOrderingPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final ModelProvider MODEL = () -> TestModels.lstm(2);

    @TempDir
    Path tmp;

    /** Slows the source so that periodic watermarks advance while the input is still being read. */
    static final class Slow implements MapFunction<String, String> {
        @Override
        public String map(String value) throws Exception {
            Thread.sleep(1);
            return value;
        }
    }

    /**
     * Many keys, long sequences, each key's adjacent steps swapped on the way: more events per key than
     * the buffer holds, so this passes only if the watermark advances while the input is read and
     * the buffers drain as it goes.
     */
    @Test
    void tsOnlyEventsApplyInEventTimeOrderFromAFile() throws Exception {
        int keys = 8;
        int t = 120;
        Random rnd = new Random(7);
        Map<String, float[][]> seqs = new HashMap<>();
        // The true order: keys interleaved at random, ts rising by 10 ms an event.
        List<Event> truth = new ArrayList<>();
        int[] next = new int[keys];
        for (int k = 0; k < keys; k++) {
            seqs.put("k-" + k, TestModels.sequence(300 + k, t));
        }
        long ts = 1_700_000_000_000L;
        while (truth.size() < keys * t) {
            int k = rnd.nextInt(keys);
            if (next[k] < t) {
                int s = next[k]++;
                truth.add(new Event("k-" + k, Event.NO_STEP, ts, seqs.get("k-" + k)[s], s == t - 1));
                ts += 10;
            }
        }
        // Arrival: each key's steps 2i and 2i+1 swap places.
        List<Event> arrival = new ArrayList<>(truth);
        Map<String, Integer> pending = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < arrival.size(); i++) {
            String key = arrival.get(i).key;
            int c = count.merge(key, 1, Integer::sum) - 1;
            if (c % 2 == 0) {
                pending.put(key, i);
            } else {
                int j = pending.remove(key);
                Event a = arrival.get(j);
                arrival.set(j, arrival.get(i));
                arrival.set(i, a);
            }
        }
        long lag = 0;
        long max = Long.MIN_VALUE;
        List<String> lines = new ArrayList<>();
        for (Event e : arrival) {
            max = Math.max(max, e.ts);
            lag = Math.max(lag, max - e.ts);
            lines.add(RecordJson.event(e));
        }
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        Path outDir = tmp.resolve("out");
        Path dlqDir = tmp.resolve("dlq");

        StreamExecutionEnvironment env = PipelineTest.env(false);
        env.getConfig().setAutoWatermarkInterval(20);
        DataStream<String> raw = env.fromSource(FileConnectors.lines(in), WatermarkStrategy.noWatermarks(), "source")
                .uid("rnnstream-source").map(new Slow()).name("slow").uid("slow");
        Pipeline.builder().model(MODEL).modelId(TestModels.ID)
                .options(StreamOptions.defaults().maxOutOfOrderness(Duration.ofMillis(lag + 50))
                        .maxBufferedSteps(40).idleTimeout(Duration.ofHours(1)))
                .records(Pipeline.lines(raw))
                .outputSink(FileConnectors.payloadSink(outDir)).deadLetterSink(FileConnectors.payloadSink(dlqDir))
                .build();
        env.execute("order-by-ts");

        List<String> out = FileConnectors.readCommittedLines(outDir);
        List<String> dlq = FileConnectors.readCommittedLines(dlqDir);
        assertEquals(List.of(), dlq);
        assertEquals(keys * t, out.size());
        Model m = MODEL.get();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : out) {
            JsonNode n = JSON.readTree(line);
            String key = n.get("key").asText();
            int step = n.get("step").asInt();
            assertEquals((int) seen.getOrDefault(key, 0), step, key + ": records in step order");
            seen.put(key, step + 1);
            float[] want = Forward.sequences(m, seqs.get(key))[step];
            float[] got = PipelineTest.floats(n.get("output"));
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), key + " step " + step);
            }
            assertEquals(step == t - 1, n.get("final").asBoolean());
        }
    }

    /** A watermark after every event, so which events are late does not depend on timing. */
    static final class EveryEvent implements WatermarkGenerator<Event> {
        private long max = Long.MIN_VALUE;
        private final long bound;

        EveryEvent(long bound) {
            this.bound = bound;
        }

        @Override
        public void onEvent(Event e, long timestamp, WatermarkOutput out) {
            max = Math.max(max, e.ts);
            out.emitWatermark(new Watermark(max - bound - 1));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {}
    }

    @Test
    void lateEventsAreDeadLettersAndTheRestMatchForward() throws Exception {
        float[][] a = TestModels.sequence(1, 6);
        float[][] b = TestModels.sequence(2, 6);
        List<Event> in = new ArrayList<>();
        // Bound 5 ms: after each event the watermark is the largest ts so far − 6.
        in.add(new Event("a", Event.NO_STEP, 104, a[1], false));
        in.add(new Event("a", Event.NO_STEP, 100, a[0], false)); // within the bound
        in.add(new Event("b", Event.NO_STEP, 101, b[0], false));
        in.add(new Event("b", Event.NO_STEP, 111, b[1], false));
        in.add(new Event("a", Event.NO_STEP, 120, a[2], false));
        in.add(new Event("b", Event.NO_STEP, 131, b[3], false));
        in.add(new Event("b", Event.NO_STEP, 121, b[2], false)); // behind 131 − 5: late
        in.add(new Event("a", Event.NO_STEP, 140, a[4], false));
        in.add(new Event("a", Event.NO_STEP, 130, a[3], false)); // behind 140 − 5: late
        in.add(new Event("a", Event.NO_STEP, 150, a[5], true));
        in.add(new Event("b", Event.NO_STEP, 151, b[5], true));
        in.add(new Event("b", Event.NO_STEP, 146, b[4], false)); // 146 > 151 − 5 − 1: in time

        StreamExecutionEnvironment env = PipelineTest.env(false);
        StreamOptions opts = StreamOptions.defaults().maxOutOfOrderness(Duration.ofMillis(5));
        DataStream<Event> events = env.fromData(in, TypeInformation.of(Event.class)).setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forGenerator(c -> new EveryEvent(5))
                        .withTimestampAssigner((e, p) -> e.ts))
                .setParallelism(1);
        Pipeline r = Pipeline.builder().model(MODEL).modelId(TestModels.ID).options(opts).events(events).build();
        DataStream<String> both = r.outputs().map(o -> "out " + o.key + " " + o.step + " " + RecordJson.output(o),
                Types.STRING).union(r.deadLetters().map(d -> "dead " + d.key + " " + d.error, Types.STRING));
        List<String> got = new ArrayList<>();
        try (CloseableIterator<String> it = both.executeAndCollect()) {
            it.forEachRemaining(got::add);
        }
        List<String> dead = got.stream().filter(s -> s.startsWith("dead ")).sorted().toList();
        assertEquals(2, dead.size(), String.join("\n", got));
        assertTrue(dead.get(0).startsWith("dead a late event: ts 130 is behind the watermark 134"), dead.get(0));
        assertTrue(dead.get(1).startsWith("dead b late event: ts 121 is behind the watermark 125"), dead.get(1));

        // The step stage then sees a as 100, 104, 120, 140, 150 (steps 0..4) and b as 101, 111, 131, 146, 151.
        Model m = MODEL.get();
        float[][] fa = Forward.sequences(m, new float[][] {a[0], a[1], a[2], a[4], a[5]});
        float[][] fb = Forward.sequences(m, new float[][] {b[0], b[1], b[3], b[4], b[5]});
        Map<String, List<OutputRecord>> outs = new HashMap<>();
        for (String s : got) {
            if (s.startsWith("out ")) {
                String json = s.substring(s.indexOf('{'));
                JsonNode n = JSON.readTree(json);
                OutputRecord o = new OutputRecord();
                o.key = n.get("key").asText();
                o.step = n.get("step").asInt();
                o.output = PipelineTest.floats(n.get("output"));
                o.last = n.get("final").asBoolean();
                outs.computeIfAbsent(o.key, k -> new ArrayList<>()).add(o);
            }
        }
        for (var en : Map.of("a", fa, "b", fb).entrySet()) {
            List<OutputRecord> rs = outs.get(en.getKey());
            assertEquals(5, rs.size());
            for (int s = 0; s < 5; s++) {
                assertEquals(s, rs.get(s).step);
                assertEquals(s == 4, rs.get(s).last);
                for (int i = 0; i < en.getValue()[s].length; i++) {
                    assertEquals(Float.floatToRawIntBits(en.getValue()[s][i]),
                            Float.floatToRawIntBits(rs.get(s).output[i]));
                }
            }
        }
    }
}
