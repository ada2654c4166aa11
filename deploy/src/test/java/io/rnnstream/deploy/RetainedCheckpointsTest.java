package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which checkpoint {@code submit --from-latest-checkpoint} resumes from, in Flink's directory layout. */
class RetainedCheckpointsTest {
    @TempDir
    Path dir;

    private Path checkpoint(String job, int n, long writtenAt, boolean complete) throws IOException {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
        if (complete) {
            Path meta = chk.resolve("_metadata");
            Files.write(meta, new byte[] {1, 2, 3});
            Files.setLastModifiedTime(meta, FileTime.fromMillis(writtenAt));
        }
        return chk;
    }

    @Test
    void theMostRecentlyWrittenCompleteCheckpointOfAnyJob() throws IOException {
        Files.createDirectories(dir.resolve("old-job").resolve("shared"));
        checkpoint("old-job", 7, 1_000, true);
        checkpoint("old-job", 9, 2_000, true);
        // The job resumed from old-job's chk-9 numbers on from there, under a new id, later.
        Path want = checkpoint("resumed-job", 12, 3_000, true);
        // In progress when the JobManager died: no _metadata yet.
        checkpoint("resumed-job", 13, 0, false);
        RetainedCheckpoints.Checkpoint c = RetainedCheckpoints.latest(dir);
        assertEquals(want, c.dir());
        assertEquals("resumed-job", c.jobId());
        assertEquals(12, c.number());
        // One job's directory works too.
        assertEquals(9, RetainedCheckpoints.latest(dir.resolve("old-job")).number());
    }

    @Test
    void noneSaysWhatToDo() throws IOException {
        IOException e = assertThrows(IOException.class, () -> RetainedCheckpoints.latest(dir.resolve("nope")));
        assertTrue(e.getMessage().startsWith("no checkpoint directory "), e.getMessage());
        checkpoint("job", 1, 0, false);
        Files.createFile(dir.resolve("job").resolve("chk-1").resolve("_metadata"));
        e = assertThrows(IOException.class, () -> RetainedCheckpoints.latest(dir));
        assertTrue(e.getMessage().contains("RETAIN_ON_CANCELLATION"), e.getMessage());
    }
}
