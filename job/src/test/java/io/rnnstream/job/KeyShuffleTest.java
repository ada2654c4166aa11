package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.job.order.EventTimeOrdering;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.SchedulerExecutionMode;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key stage with and without Flink's hash shuffle: the job's shape, its outputs, and the guard. */
class KeyShuffleTest {
    @TempDir
    Path tmp;

    @Test
    void takesAutoOrAlwaysAndSaysWhatElseIsWrong() {
        assertEquals(KeyShuffle.AUTO, KeyShuffle.parse("auto"));
        assertEquals(KeyShuffle.ALWAYS, KeyShuffle.parse(" ALWAYS "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyShuffle.parse("never"));
        assertEquals("--key-shuffle must be auto or always, not 'never'", e.getMessage());
    }

    @Test
    void atParallelismOneTheSourceAndTheKeyedStagesAreOneTask() {
        assertTrue(orderRunsWithTheSource(graph(1, KeyShuffle.AUTO, new Configuration())));
        assertFalse(orderRunsWithTheSource(graph(1, KeyShuffle.ALWAYS, new Configuration())));
        assertFalse(orderRunsWithTheSource(graph(2, KeyShuffle.AUTO, new Configuration())));
    }

    @Test
    void reactiveModeKeepsTheShuffle() {
        Configuration reactive = new Configuration();
        reactive.set(JobManagerOptions.SCHEDULER_MODE, SchedulerExecutionMode.REACTIVE);
        assertFalse(orderRunsWithTheSource(graph(1, KeyShuffle.AUTO, reactive)));
    }

    @Test
    void withOrWithoutTheShuffleTheOutputsAreTheSame() throws Exception {
        List<String> lines = new ArrayList<>(PipelineTest.goodEvents(new HashMap<>()));
        lines.addAll(PipelineTest.badEvents());
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        List<List<String>> outs = new ArrayList<>();
        for (KeyShuffle k : KeyShuffle.values()) {
            Path out = tmp.resolve(k + "/out.jsonl");
            Path dlq = tmp.resolve(k + "/dlq.jsonl");
            LocalFileJob.Counts c = new LocalFileJob(() -> TestModels.lstm(2), TestModels.ID,
                    StreamOptions.defaults().idleTimeout(Duration.ofSeconds(30)))
                    .parallelism(1).keyShuffle(k).checkpointInterval(Duration.ofMillis(200))
                    .run(in, out, dlq);
            assertTrue(c.reconciles(), c.toString());
            outs.add(Files.readAllLines(out));
            outs.add(Files.readAllLines(dlq));
        }
        // One subtask either way: the same records in the same order, bit for bit.
        assertEquals(outs.get(0), outs.get(2));
        assertEquals(outs.get(1), outs.get(3));
        assertFalse(outs.get(0).isEmpty());
    }

    @Test
    void aChainBuiltForOneSubtaskRefusesToRunOnTwo() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EventTimeOrdering(StreamOptions.defaults(), true)),
                (Event e) -> e.key, Types.STRING, 128, 2, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, h::open);
        assertTrue(e.getMessage().contains("--key-shuffle always"), e.getMessage());
        h.close();
        // With the shuffle, two subtasks are what it is for.
        var shuffled = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EventTimeOrdering(StreamOptions.defaults(), false)),
                (Event ev) -> ev.key, Types.STRING, 128, 2, 0);
        shuffled.open();
        shuffled.close();
    }

    private static List<JobVertex> graph(int parallelism, KeyShuffle keyShuffle, Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        DataStream<KeyedPayload> records = Pipeline.lines(env.fromData("{}"));
        Pipeline.builder().model(() -> TestModels.lstm(2)).records(records).keyShuffle(keyShuffle)
                .outputSink(new DiscardingSink<>()).deadLetterSink(new DiscardingSink<>()).build();
        List<JobVertex> vertices = new ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(vertices::add);
        return vertices;
    }

    private static boolean orderRunsWithTheSource(List<JobVertex> vertices) {
        JobVertex order = vertices.stream().filter(v -> v.getName().contains("order")).findFirst().orElseThrow();
        return order.getName().startsWith("Source");
    }
}
