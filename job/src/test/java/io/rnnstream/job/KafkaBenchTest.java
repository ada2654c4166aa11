package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.job.bench.kafka.KafkaBench;
import io.rnnstream.job.bench.kafka.KafkaBenchResult;
import io.rnnstream.job.bench.kafka.KafkaBenchSpec;
import io.rnnstream.job.bench.kafka.KafkaBenchStage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's smoke form of {@code rnnstream bench kafka}: a real broker, the generator and the measuring
 * consumer in JVMs of their own, every stage for a few thousand events, paced (so it is short and
 * its latencies are each event's own path).
 */
class KafkaBenchTest {
    @TempDir
    Path dir;

    @Test
    void everyStageIsMeasuredSideBySide() throws Exception {
        KafkaBenchSpec spec = KafkaBenchSpec.builder().keys(50).events(3_000).rate(2_000)
                .checkpointInterval(java.time.Duration.ofMillis(300)).build();
        List<String> seen = new ArrayList<>();
        List<KafkaBenchResult> results = KafkaBench.run(spec, TestModels.simpleRnn(3), dir, new KafkaBench.Listener() {
            @Override
            public void stage(KafkaBenchStage stage, int index, int count) {
                seen.add(stage.label());
            }

            @Override
            public void progress(long outputs, long expected) {}

            @Override
            public void stageDone(KafkaBenchResult result) {}
        });
        assertEquals(List.of("engine", "kafka", "passthrough", "keyed", "rnnstream"), seen);
        Map<String, KafkaBenchResult> by = results.stream()
                .collect(Collectors.toMap(KafkaBenchResult::stage, r -> r));
        for (String s : List.of("kafka", "passthrough", "keyed", "rnnstream")) {
            KafkaBenchResult r = by.get(s);
            assertEquals(3_000 - 600, r.measuredEvents(), r.toJson());
            // Every output after the warm-up has its latency, on both consumers.
            assertEquals(3_000 - 600, r.uncommitted().count(), r.toJson());
            assertEquals(3_000 - 600, r.committed().count(), r.toJson());
            assertTrue(r.uncommitted().p50() <= r.uncommitted().p99() && r.uncommitted().p99() <= r.uncommitted().max(),
                    r.toJson());
            assertTrue(r.eventsPerSecond() > 0 && r.generatorEventsPerSecond() > 0, r.toJson());
            assertTrue(r.brokerCpuMicros() > 0 && r.generatorCpuMicros() > 0 && r.consumerCpuMicros() > 0, r.toJson());
            assertEquals(!s.equals("kafka"), r.jobCpuMicros() > 0, r.toJson());
        }
        // Exactly-once: a read_committed consumer sees an output only once its checkpoint completed.
        KafkaBenchResult job = by.get("rnnstream");
        assertTrue(job.committed().p50() >= job.uncommitted().p50(), job.toJson());
        assertTrue(by.get("engine").jobCpuMicros() > 0, by.get("engine").toJson());

        String table = KafkaBenchResult.table(results);
        // In the CI log: what the smoke run measured (a few thousand events, far from steady numbers).
        System.out.println(table);
        assertTrue(table.contains("| rnnstream   | exactly-once |"), table);
        assertTrue(table.contains("| rnnstream ÷ ") && table.contains("| passthrough "), table);
        String json = KafkaBenchResult.toJson(spec.describe(), results);
        assertTrue(json.contains("\"rnnstreamOver\":\"keyed\""), json);
        assertEquals(4, KafkaBenchResult.ratios(results).size());
    }

    @Test
    void badSettingsAreOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaBenchSpec.builder().keys(1_000).events(1_500).build());
        assertTrue(e.getMessage().contains("raise --events to at least 2000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaBenchStage.parse("nope"));
        assertEquals("--stages takes engine,kafka,passthrough,keyed,rnnstream, not 'nope'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaBenchSpec.parseDelivery("twice"));
        assertTrue(e.getMessage().startsWith("--delivery must be exactly-once or at-least-once"), e.getMessage());
    }
}
