package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.job.swap.ModelUpdate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The dead letters' edges flush every 100 ms, not at the job's short buffer timeout; every edge an event or
 * an output takes keeps the job's.
 */
class DeadLetterFlushTest {
    @Test
    void deadLetterEdgesFlushLazilyAndTheRestKeepsTheJobsTimeout() {
        Map<String, Long> p1 = edges(1, 5, env -> {}, false);
        p1.keySet().removeIf(edge -> !edge.endsWith("-> dead-letter-json"));
        assertEquals(Map.of("parse -> dead-letter-json", 100L, "order -> dead-letter-json", 100L,
                "step -> dead-letter-json", 100L), p1);
        // At parallelism 2 the shuffle is a network edge and keeps the job's 5 ms (the edges that chain leave by
        // method calls, whatever their number says).
        Map<String, Long> p2 = edges(2, 5, env -> {}, false);
        assertEquals(List.of(5L, 100L), List.of(p2.get("timestamps -> order"), p2.get("step -> dead-letter-json")));
    }

    @Test
    void withModelUpdatesTheStepHasTwoInputsAndTheOrderEdgeKeepsTheJobsTimeout() {
        Map<String, Long> e = edges(1, 5, env -> {}, true);
        assertEquals(List.of(5L, 5L, 100L), List.of(e.get("order -> step"), e.get("order -> dead-letter-json"),
                e.get("step -> dead-letter-json")));
    }

    @Test
    void leftAloneWithoutChainingOrWhereTheJobsTimeoutIsNotShorter() {
        Map<String, Long> unchained = edges(1, 5, StreamExecutionEnvironment::disableOperatorChaining, false);
        assertFalse(unchained.containsValue(100L), unchained.toString());
        Map<String, Long> flushAlways = edges(1, 0, env -> {}, false);
        assertFalse(flushAlways.containsValue(100L), flushAlways.toString());
        Map<String, Long> slower = edges(1, 200, env -> {}, false);
        assertEquals(200L, slower.get("step -> dead-letter-json"));
    }

    /** "upstream -> downstream" → the edge's buffer timeout, for the job's topology built on a fresh env. */
    private static Map<String, Long> edges(int parallelism, long bufferTimeout,
            Consumer<StreamExecutionEnvironment> configure, boolean modelUpdates) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.setBufferTimeout(bufferTimeout);
        configure.accept(env);
        DataStream<KeyedPayload> records = Pipeline.lines(env.fromData("{}"));
        Pipeline.Builder b = Pipeline.builder().model(() -> TestModels.lstm(2)).records(records)
                .outputSink(new DiscardingSink<>()).deadLetterSink(new DiscardingSink<>());
        if (modelUpdates) {
            b.modelUpdates(env.fromSequence(0, 0).map(i -> (ModelUpdate) null, TypeInformation.of(ModelUpdate.class)));
        }
        b.build();
        StreamGraph g = env.getStreamGraph();
        Map<String, Long> out = new TreeMap<>();
        for (StreamNode n : g.getStreamNodes()) {
            for (StreamEdge e : n.getOutEdges()) {
                out.put(n.getOperatorName() + " -> " + g.getStreamNode(e.getTargetId()).getOperatorName(),
                        e.getBufferTimeout());
            }
        }
        return out;
    }
}
