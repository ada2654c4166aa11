package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's path: file in, exactly the two named files out, on an embedded Flink with RocksDB. */
class LocalFileJobTest {
    @TempDir
    Path tmp;

    @Test
    void writesExactlyTheNamedFiles() throws Exception {
        List<String> lines = new ArrayList<>(PipelineTest.goodEvents(new HashMap<>()));
        lines.addAll(PipelineTest.badEvents());
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        Path out = tmp.resolve("res/out.jsonl");
        Path dlq = tmp.resolve("res/dlq.jsonl");
        LocalFileJob.Counts c = new LocalFileJob(() -> TestModels.lstm(2), TestModels.ID,
                StreamOptions.defaults().idleTimeout(Duration.ofSeconds(30)))
                .parallelism(2).stateBackend("rocksdb").checkpointInterval(Duration.ofMillis(200))
                .run(in, out, dlq);
        assertEquals(lines.size(), c.linesIn());
        assertTrue(c.reconciles(), c.toString());
        assertEquals(PipelineTest.badEvents().size() - 1, c.deadLetters());
        assertEquals(1, c.finalsWithoutEvent());
        assertEquals(c.outputs(), Files.readAllLines(out).size());
        try (var s = Files.list(tmp.resolve("res"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("dlq.jsonl", "out.jsonl"), names);
        }
        assertFalse(Files.readString(out).isBlank());
    }
}
