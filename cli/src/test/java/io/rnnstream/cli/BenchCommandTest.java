package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rnnstream bench} in its smallest form: one run, the table and the JSON. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void benchPrintsTheTableAndJson() throws Exception {
        Path model = dir.resolve("m.rnns");
        ModelFile.write(RnnstreamTest.mnistModel(), model);
        Path json = dir.resolve("bench.json");
        RnnstreamTest.Run r = RnnstreamTest.run("bench", "--model", model.toString(), "--keys", "50", "--backend",
                "hashmap", "--events", "3000", "--stages", "rnnstream,floor,naive", "--profile", "--json", json.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("| stage     | backend |"), r.out());
        assertTrue(r.out().contains("| rnnstream | hashmap |"), r.out());
        // The anchors beside the job, and the job's ratio to each.
        assertTrue(r.out().contains("| naive     | hashmap |"), r.out());
        assertTrue(r.out().contains("rnnstream ÷ floor (hashmap, 50 keys): "), r.out());
        assertTrue(r.out().contains("rnnstream ÷ naive (hashmap, 50 keys): "), r.out());
        assertTrue(r.out().contains("\"stateDetail\":\"sequence-meta 5"), r.out());
        assertTrue(Files.readString(json).contains("\"keys\":50"));
        // --profile: a per-stage table for each run, after the results.
        assertTrue(r.out().contains("rnnstream, hashmap, 50 keys: where the operator thread's time goes"), r.out());
        assertTrue(r.out().contains("| hottest innermost frames"), r.out());
    }

    @Test
    void badArgumentsAreOneLine() {
        RnnstreamTest.Run r = RnnstreamTest.run("bench", "--backend", "nope", "--keys", "5", "--events", "3000");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --backend must be hashmap, rocksdb or forst, not nope"), r.err());
        r = RnnstreamTest.run("bench", "--stages", "rnnstream,fastest", "--keys", "5", "--events", "3000");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --stages takes rnnstream, rnnstream@N, sql, floor and naive, not 'fastest'"),
                r.err());
        r = RnnstreamTest.run("bench", "--stages", "rnnstream@0", "--keys", "5", "--events", "3000");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --step-bundle must be 1 (off) to 256, not 0"), r.err());
        r = RnnstreamTest.run("bench", "--keys", "1000", "--events", "1500");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("raise --events to at least"), r.err());
    }

    @Test
    void benchKafkaRunsOnARealBrokerAndPrintsTheTableAndJson() throws Exception {
        Path model = dir.resolve("m.rnns");
        ModelFile.write(RnnstreamTest.mnistModel(), model);
        Path json = dir.resolve("kafka.json");
        RnnstreamTest.Run r = RnnstreamTest.run("bench", "kafka", "--model", model.toString(), "--stages", "kafka",
                "--keys", "20", "--events", "1500", "--warmup", "300", "--rate", "3000", "--json", json.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("| stage | delivery     |"), r.out());
        assertTrue(r.out().contains("| kafka | exactly-once |"), r.out());
        assertTrue(Files.readString(json).contains("\"stage\":\"kafka\""), Files.readString(json));
    }

    @Test
    void benchKafkaSpeaksAvroEndToEnd() throws Exception {
        Path model = dir.resolve("m.rnns");
        ModelFile.write(RnnstreamTest.mnistModel(), model);
        // Kafka alone: the generator writes Avro events and the consumer decodes every one (it fails on any
        // it cannot), so the short form checks both ends of the format without a job.
        RnnstreamTest.Run r = RnnstreamTest.run("bench", "kafka", "--model", model.toString(), "--stages", "kafka",
                "--format", "avro", "--keys", "20", "--events", "1500", "--warmup", "300", "--rate", "3000");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("| kafka | exactly-once avro |"), r.out());
    }

    @Test
    void benchKafkaArgumentsAreCheckedFirst() {
        RnnstreamTest.Run r = RnnstreamTest.run("bench", "kafka", "--delivery", "twice");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --delivery must be exactly-once or at-least-once, not 'twice'"), r.err());
        r = RnnstreamTest.run("bench", "kafka", "--format", "xml");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --format must be json or avro, not 'xml'"), r.err());
        r = RnnstreamTest.run("bench", "kafka", "--stages", "kafka,nope");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --stages takes engine,kafka,relay,relay-serde,passthrough,keyed,rnnstream,"
                + " not 'nope'"), r.err());
    }

    @Test
    void aFlinkOptionTheJobRefusesIsNamedOnOneLine() throws Exception {
        Path model = dir.resolve("m.rnns");
        ModelFile.write(RnnstreamTest.mnistModel(), model);
        RnnstreamTest.Run r = RnnstreamTest.run("bench", "--model", model.toString(), "--keys", "50", "--backend",
                "rocksdb", "--events", "3000", "-D", "state.backend.rocksdb.compaction.style=NOPE");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("error: Could not parse value 'NOPE' for key 'state.backend.rocksdb.compaction.style'."
                + " Could not parse value for enum class org.rocksdb.CompactionStyle. Expected one of: [[LEVEL,"
                + " UNIVERSAL, FIFO, NONE]] (the Flink job failed on it;"), r.err());
    }
}
