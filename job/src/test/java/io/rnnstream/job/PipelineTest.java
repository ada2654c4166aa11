package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.DeadLetter;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a Flink MiniCluster, parallelism 2, file source and exactly-once file sinks. */
class PipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final int KEYS = 30;
    private static final int T = 10;

    @TempDir
    Path tmp;

    private static final ModelProvider MODEL = () -> TestModels.stacked(3);

    static StreamExecutionEnvironment env(boolean restarts) {
        Configuration conf = new Configuration();
        // Every type on the wire and in state must have a Flink serializer: no Kryo fallback.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        // The file sinks commit on checkpoints (the last one when the input ends).
        env.enableCheckpointing(100);
        return env;
    }

    /** Interleaved keys, each sequence a little out of order (adjacent steps swapped), ts increasing. */
    static List<String> goodEvents(Map<String, float[][]> sequences) {
        Random rnd = new Random(42);
        List<List<Event>> perKey = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "s-" + k;
            float[][] x = TestModels.sequence(100 + k, T);
            sequences.put(key, x);
            List<Event> es = new ArrayList<>();
            for (int t = 0; t < T; t++) {
                es.add(new Event(key, t, 0, x[t], t == T - 1));
            }
            for (int t = 0; t + 1 < T; t += 2) {
                if (rnd.nextBoolean()) {
                    Collections.swap(es, t, t + 1);
                }
            }
            perKey.add(es);
        }
        List<String> lines = new ArrayList<>();
        long ts = 1_700_000_000_000L;
        int[] next = new int[KEYS];
        int left = KEYS * T;
        while (left > 0) {
            int k = rnd.nextInt(KEYS);
            if (next[k] < T) {
                Event e = perKey.get(k).get(next[k]++);
                e.ts = ts++;
                lines.add(RecordJson.event(e));
                left--;
            }
        }
        return lines;
    }

    static List<String> badEvents() {
        return List.of(
                "{\"key\":\"bad-1\",\"features\":[1,2",
                "{\"features\":[1,2,3]}",
                "{\"key\":\"bad-2\",\"features\":[1,2]}",
                "{\"key\":\"bad-3\",\"features\":[1,\"NaN\",3]}",
                "{\"key\":\"bad-4\",\"step\":-2,\"features\":[1,2,3]}",
                "",
                "{\"key\":\"s-0\",\"step\":0,\"features\":[1,2,3]}"); // after s-0 ended: a new sequence
    }

    static float[] floats(JsonNode arr) {
        float[] v = new float[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(arr.get(i).decimalValue().toString());
        }
        return v;
    }

    @Test
    void flinkSerializesEveryRecordTypeItself() {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(Event.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(OutputRecord.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(DeadLetter.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(SequenceMeta.class));
    }

    @Test
    void everyStepMatchesForwardAndBadEventsAreDeadLetters() throws Exception {
        Map<String, float[][]> seqs = new HashMap<>();
        List<String> lines = new ArrayList<>(goodEvents(seqs));
        List<String> bad = badEvents();
        lines.addAll(bad);
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        Path outDir = tmp.resolve("out");
        Path dlqDir = tmp.resolve("dlq");

        StreamExecutionEnvironment env = env(false);
        TestPipelines.files(env, in, outDir, dlqDir, Pipeline.builder().model(MODEL).modelId(TestModels.ID)
                .options(StreamOptions.defaults().idleTimeout(Duration.ofMinutes(5)).maxBufferedSteps(4)));
        env.execute("pipeline-test");

        List<String> out = FileConnectors.readCommittedLines(outDir);
        List<String> dlq = FileConnectors.readCommittedLines(dlqDir);
        // Every input line is one output or one dead letter; the extra s-0 sequence (never ended)
        // adds its one end-of-input record.
        assertEquals(lines.size() + 1, out.size() + dlq.size(), "out " + out.size() + " dlq " + dlq.size());
        assertEquals(bad.size() - 1, dlq.size(), String.join("\n", dlq));

        Model m = MODEL.get();
        Map<String, float[][]> expected = new HashMap<>();
        seqs.forEach((k, x) -> expected.put(k, Forward.sequences(m, x)));
        Map<String, Integer> seen = new HashMap<>();
        for (String line : out) {
            JsonNode n = JSON.readTree(line);
            String key = n.get("key").asText();
            int step = n.get("step").asInt();
            if (n.has("reason")) {
                assertEquals("s-0", key);
                assertEquals("end-of-input", n.get("reason").asText());
                continue;
            }
            if (key.equals("s-0") && seen.getOrDefault(key, 0) == T) {
                assertEquals(0, step);
                continue;
            }
            seen.merge(key, 1, Integer::sum);
            float[] y = floats(n.get("output"));
            float[] e = expected.get(key)[step];
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(y[i]), key + " step " + step);
            }
            assertEquals(step == T - 1, n.get("final").asBoolean());
            assertEquals(TestModels.ID, n.get("model").asText());
        }
        assertEquals(KEYS, seen.size());
        seen.values().forEach(c -> assertEquals(T, c));
        for (String d : dlq) {
            JsonNode n = JSON.readTree(d);
            assertTrue(bad.contains(n.get("raw").asText()), d);
            assertFalse(n.get("error").asText().isBlank());
        }
    }

    /**
     * Throws once, mid-stream, after a checkpoint completed; slows the stream so checkpoints happen
     * while it runs. Shared by the file and the Kafka pipeline tests.
     */
    static final class FailOnce<T> extends RichMapFunction<T, T> implements CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
        static final AtomicLong SEEN = new AtomicLong();
        private final boolean fail;
        private final long sleepMillis;

        FailOnce(boolean fail, long sleepMillis) {
            this.fail = fail;
            this.sleepMillis = sleepMillis;
        }

        static void reset() {
            SEEN.set(0);
            CHECKPOINTED.set(false);
            FAILED.set(false);
        }

        @Override
        public T map(T value) throws Exception {
            Thread.sleep(sleepMillis);
            if (fail && SEEN.incrementAndGet() > 100 && CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    private List<List<String>> run(Path in, String name, boolean fail) throws Exception {
        Path outDir = tmp.resolve(name + "-out");
        Path dlqDir = tmp.resolve(name + "-dlq");
        StreamExecutionEnvironment env = env(fail);
        DataStream<String> raw = env.fromSource(FileConnectors.lines(in), WatermarkStrategy.noWatermarks(), "source")
                .uid("rnnstream-source")
                .map(new FailOnce<String>(fail, 2), Types.STRING).name("fail-once").uid("fail-once");
        Pipeline.builder().model(MODEL).modelId(TestModels.ID)
                .options(StreamOptions.defaults().idleTimeout(Duration.ofMillis(500)).decideAtConfidence(0.6))
                .records(Pipeline.lines(raw))
                .outputSink(FileConnectors.payloadSink(outDir)).deadLetterSink(FileConnectors.payloadSink(dlqDir))
                .build();
        env.execute(name);
        List<String> out = new ArrayList<>(FileConnectors.readCommittedLines(outDir));
        List<String> dlq = new ArrayList<>(FileConnectors.readCommittedLines(dlqDir));
        Collections.sort(out);
        Collections.sort(dlq);
        return List.of(out, dlq);
    }

    @Test
    void aFailureAndRestoreMidStreamChangesNoOutput() throws Exception {
        Map<String, float[][]> seqs = new HashMap<>();
        List<String> lines = new ArrayList<>(goodEvents(seqs));
        lines.addAll(badEvents());
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        List<List<String>> clean = run(in, "clean", false);
        FailOnce.reset();
        List<List<String>> failed = run(in, "failed", true);
        assertTrue(FailOnce.FAILED.get(), "the failure was never injected");
        assertEquals(clean.get(0).size(), failed.get(0).size());
        assertEquals(clean.get(0), failed.get(0));
        assertEquals(clean.get(1), failed.get(1));
        assertEquals(lines.size() + 1, clean.get(0).size() + clean.get(1).size());
    }

    /** A user's own record type. */
    public static class Reading {
        public String device;
        public int seq;
        public float[] values;
        public boolean last;

        public Reading() {}

        Reading(String device, int seq, float[] values, boolean last) {
            this.device = device;
            this.seq = seq;
            this.values = values;
            this.last = last;
        }
    }

    @Test
    void usersOwnRecordsThroughAnExtractor() throws Exception {
        float[][] x = TestModels.sequence(5, 6);
        List<Reading> readings = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            readings.add(new Reading("dev-1", t, x[t], t == 5));
        }
        Collections.swap(readings, 1, 2);
        StreamExecutionEnvironment env = env(false);
        DataStream<Reading> in = env.fromData(readings, TypeInformation.of(Reading.class));
        DataStream<Event> events = in.map(m -> new Event(m.device, m.seq, Event.NO_TS, m.values, m.last),
                TypeInformation.of(Event.class));
        Pipeline r = Pipeline.builder().model(() -> TestModels.lstm(2)).modelId(TestModels.ID).events(events).build();
        List<OutputRecord> out = new ArrayList<>();
        try (var it = r.outputs().executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        float[][] f = Forward.sequences(TestModels.lstm(2), x);
        assertEquals(6, out.size());
        for (int t = 0; t < 6; t++) {
            assertEquals(t, out.get(t).step);
            for (int i = 0; i < f[t].length; i++) {
                assertEquals(Float.floatToRawIntBits(f[t][i]), Float.floatToRawIntBits(out.get(t).output[i]));
            }
        }
        assertTrue(out.get(5).last);
    }
}
