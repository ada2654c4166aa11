package io.rnnstream.bench.harness;

import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.TestModels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.bench.harness.BenchResult;
import io.rnnstream.bench.harness.BenchSpec;
import io.rnnstream.bench.harness.BenchStage;
import io.rnnstream.bench.harness.EndToEndBench;
import io.rnnstream.model.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CI's smoke form of {@code ./rnnstream bench}: the real topology, a few thousand events, both backends. */
class EndToEndBenchTest {
    @Test
    void measuresTheRealOperatorOnBothBackends() throws Exception {
        Model m = TestModels.simpleRnn(3);
        ModelProvider p = ModelProvider.of(m);
        BenchResult heap = EndToEndBench.run(new BenchSpec("hashmap", 100, 6_000, -1, 7, null),
                BenchStage.rnnstream(), p, TestModels.ID);
        BenchResult rocks = EndToEndBench.run(new BenchSpec("rocksdb", 100, 6_000, -1, 7, "64m"),
                BenchStage.rnnstream(), p, TestModels.ID);
        for (BenchResult r : List.of(heap, rocks)) {
            assertEquals(6_000 - 1 - 1_200, r.measuredEvents(), r.toJson());
            assertTrue(r.eventsPerSecond() > 0 && r.eventsPerCpuSecond() > 0, r.toJson());
            assertTrue(r.p50Micros() > 0 && r.p99Micros() >= r.p50Micros(), r.toJson());
            // float[] values: a 4-byte length and 4 bytes a float; the meta POJO comes on top.
            int n = new io.rnnstream.model.StepKernel(m).newState().length;
            assertEquals(4L * n, r.rawFloatBytesPerKey());
            assertTrue(r.stateBytesPerKey() > 4L * n + 4, r.toJson());
        }
        assertTrue(heap.heapBytesPerKey() != -1 && rocks.heapBytesPerKey() == -1, heap.toJson());
        assertTrue(rocks.sstBytesPerKey() >= 0 && heap.sstBytesPerKey() == -1, rocks.toJson());
        String table = BenchResult.table(List.of(heap, rocks));
        assertTrue(table.contains("| rnnstream | hashmap") && table.contains("rocksdb (64m)"), table);
        assertTrue(BenchResult.toJson(List.of(heap, rocks)).startsWith("[\n  {\"stage\":\"rnnstream\""));
    }

    @Test
    void theSqlStageRunsRnnClassifyOnTheSameGeneratorAndSink() throws Exception {
        // The sink checks every output's step against the generator's order and fails on a missing one.
        BenchResult r = EndToEndBench.run(new BenchSpec("hashmap", 100, 6_000, -1, 7, null),
                AnchorStages.named("sql"), ModelProvider.of(TestModels.simpleRnn(3)), TestModels.ID);
        assertEquals("sql", r.stage());
        assertEquals(6_000 - 1 - 1_200, r.measuredEvents(), r.toJson());
        assertTrue(r.eventsPerSecond() > 0 && r.eventsPerCpuSecond() > 0, r.toJson());
    }

    @Test
    void tooFewEventsIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EndToEndBench.run(new BenchSpec("hashmap", 10_000, 10_500, -1, 28, null),
                        BenchStage.rnnstream(), ModelProvider.of(TestModels.simpleRnn(3)), TestModels.ID));
        assertTrue(e.getMessage().contains("raise --events to at least 11000"), e.getMessage());
    }
}
