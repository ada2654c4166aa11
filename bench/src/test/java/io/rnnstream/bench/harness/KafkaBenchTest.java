package io.rnnstream.bench.harness;

import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.TestModels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.bench.harness.kafka.KafkaBench;
import io.rnnstream.bench.harness.kafka.KafkaBenchResult;
import io.rnnstream.bench.harness.kafka.KafkaBenchSpec;
import io.rnnstream.bench.harness.kafka.KafkaBenchStage;
import io.rnnstream.bench.harness.kafka.KafkaGoals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's smoke form of {@code rnnstream bench kafka}: a real broker, the generator and the measuring
 * consumer in JVMs of their own, Kafka alone, the keyed anchor and the job for 2,000 events each, paced
 * (so it is short, and its latencies are each event's own path). The engine stage is {@code bench}'s
 * own (EndToEndBenchTest), and the passthrough is the keyed anchor without its keyBy.
 */
class KafkaBenchTest {
    @TempDir
    Path dir;

    @Test
    void everyStageIsMeasuredSideBySide() throws Exception {
        KafkaBenchSpec spec = KafkaBenchSpec.builder().keys(50).events(2_000).rate(2_000)
                .stages(List.of(KafkaBenchStage.KAFKA, KafkaBenchStage.KEYED, KafkaBenchStage.RNNSTREAM))
                .checkpointInterval(java.time.Duration.ofMillis(300)).malformed(0.1).traceDir(dir.resolve("trace")).build();
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
        assertEquals(List.of("kafka", "keyed", "rnnstream"), seen);
        Map<String, KafkaBenchResult> by = results.stream()
                .collect(Collectors.toMap(KafkaBenchResult::stage, r -> r));
        for (String s : List.of("kafka", "keyed", "rnnstream")) {
            KafkaBenchResult r = by.get(s);
            assertEquals(2_000 - 400, r.measuredEvents(), r.toJson());
            // Every output after the warm-up has its latency, on both consumers.
            assertEquals(2_000 - 400, r.uncommitted().count(), r.toJson());
            assertEquals(2_000 - 400, r.committed().count(), r.toJson());
            assertTrue(r.uncommitted().p50() <= r.uncommitted().p99() && r.uncommitted().p99() <= r.uncommitted().max(),
                    r.toJson());
            assertTrue(r.eventsPerSecond() > 0 && r.generatorEventsPerSecond() > 0, r.toJson());
            assertTrue(r.brokerCpuMicros() > 0 && r.generatorCpuMicros() > 0 && r.consumerCpuMicros() > 0, r.toJson());
            assertEquals(!s.equals("kafka"), r.jobCpuMicros() > 0, r.toJson());
            // A job's outputs split at their record's timestamp into its two Kafka hops; Kafka alone has one.
            assertEquals(s.equals("kafka") ? 0 : 2_000 - 400, r.hops().toOutput().count(), r.toJson());
            assertEquals(s.equals("kafka") ? 0 : 2_000 - 400, r.hops().outputToCommitted().count(), r.toJson());
        }
        // --trace: a line per measured output and consumer, each stage run in files of its own.
        for (String s : List.of("kafka-0-uncommitted", "kafka-0-committed", "keyed-0-uncommitted",
                "rnnstream-0-uncommitted", "rnnstream-0-committed")) {
            List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("trace").resolve(s + ".csv"));
            assertEquals("event_ms,record_ms,polled_us", lines.get(0));
            assertEquals(1 + 2_000 - 400, lines.size(), s);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                long event = Long.parseLong(f[0]);
                long record = Long.parseLong(f[1]);
                long polled = Long.parseLong(f[2]);
                // Kafka alone: the record is the event; a job writes its output after the event was sent.
                assertTrue(s.startsWith("kafka") ? record == event : record >= event, line);
                assertTrue(polled >= 1_000 * event, line);
            }
        }
        // Exactly-once: a read_committed consumer sees an output only once its checkpoint completed.
        KafkaBenchResult job = by.get("rnnstream");
        assertTrue(job.committed().p50() >= job.uncommitted().p50(), job.toJson());

        String table = KafkaBenchResult.table(results);
        // In the CI log: what the smoke run measured (a few thousand events, far from steady numbers).
        System.out.println(table);
        assertTrue(table.contains("| rnnstream | exactly-once |"), table);
        assertTrue(table.contains("| rnnstream ÷ ") && table.contains("| keyed "), table);
        assertTrue(table.contains("| where the latency goes") && table.contains("| event → output written"), table);
        // Exactly-once: an output becomes visible to read_committed at its checkpoint's commit, after it was written.
        assertTrue(job.hops().outputToCommitted().p50() >= job.hops().outputToUncommitted().p50(), job.toJson());
        String json = KafkaBenchResult.toJson(spec.describe(), results);
        assertTrue(json.contains("\"rnnstreamOver\":\"keyed\"") && json.contains("\"secondsReadCommitted\":[["), json);
        assertTrue(json.contains("\"hops\":null") && json.contains("\"hops\":{\"eventToOutputWritten\":{\"count\":1600"), json);
        assertEquals(2, KafkaBenchResult.ratios(results).size());
        // The goals read off these rows; those whose runs are missing say so instead of passing.
        String goals = KafkaGoals.table(KafkaGoals.evaluate(results, results, results, 300));
        assertTrue(goals.contains("| job CPU per event ÷ engine's") && goals.contains("not measured"), goals);
        // The paced p99 beside what Kafka alone gave in the same run: the floor it sits on.
        assertTrue(goals.contains("(same run: kafka "), goals);
    }

    /**
     * The relays read and write the same records with the same clients and no Flink, in the job's JVM: their
     * CPU is in the job's column, and their outputs carry the job's event-time header (the same two hops).
     */
    private static final KafkaBench.Listener QUIET = new KafkaBench.Listener() {
        @Override
        public void stage(KafkaBenchStage stage, int index, int count) {}

        @Override
        public void progress(long outputs, long expected) {}

        @Override
        public void stageDone(KafkaBenchResult result) {}
    };

    @Test
    void theRelaysAreMeasuredAsTheJobIs() throws Exception {
        KafkaBenchSpec spec = KafkaBenchSpec.builder().keys(50).events(2_000).rate(2_000)
                .stages(List.of(KafkaBenchStage.RELAY, KafkaBenchStage.RELAY_SERDE))
                .delivery(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE).build();
        List<KafkaBenchResult> results = KafkaBench.run(spec, TestModels.simpleRnn(3), dir, QUIET);
        assertEquals(List.of("relay", "relay-serde"), results.stream().map(KafkaBenchResult::stage).toList());
        // In Avro, relay-serde reads Avro events and writes Avro outputs (the consumer decodes them as such).
        KafkaBenchSpec avro = KafkaBenchSpec.builder().keys(50).events(2_000).rate(2_000)
                .stages(List.of(KafkaBenchStage.RELAY_SERDE)).format(io.rnnstream.connectors.WireFormat.AVRO)
                .delivery(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE).build();
        results = new ArrayList<>(results);
        results.addAll(KafkaBench.run(avro, TestModels.simpleRnn(3), dir.resolve("avro"), QUIET));
        assertEquals("at-least-once avro", results.get(2).delivery(), results.get(2).toJson());
        for (KafkaBenchResult r : results) {
            assertEquals(2_000 - 400, r.uncommitted().count(), r.toJson());
            assertEquals(2_000 - 400, r.committed().count(), r.toJson());
            assertTrue(r.jobCpuMicros() > 0, r.toJson());
            assertEquals(2_000 - 400, r.hops().toOutput().count(), r.toJson());
        }
    }

    @Test
    void badSettingsAreOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaBenchSpec.builder().keys(1_000).events(1_500).build());
        assertTrue(e.getMessage().contains("raise --events to at least 2000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaBenchStage.parse("nope"));
        assertEquals("--stages takes engine,kafka,relay,relay-serde,passthrough,keyed,rnnstream, not 'nope'",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaBenchSpec.parseDelivery("twice"));
        assertTrue(e.getMessage().startsWith("--delivery must be exactly-once or at-least-once"), e.getMessage());
    }
}
