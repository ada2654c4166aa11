package io.rnnstream.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the checkpoint a job lost with its JobManager can resume from. A cluster without an HA service
 * forgets its jobs when the JobManager dies, but their checkpoints stay on disk as
 * {@code <checkpoints dir>/<job id>/chk-N/}; one is complete once Flink wrote its {@code _metadata}
 * (the last file of a checkpoint), and such a directory is a valid savepoint path.
 */
public final class RetainedCheckpoints {
    private RetainedCheckpoints() {}

    private static final Pattern CHK = Pattern.compile("chk-(\\d+)");
    static final String METADATA = "_metadata";

    /** A completed checkpoint: its directory, its job's id (the parent directory's name) and its number. */
    public record Checkpoint(Path dir, String jobId, long number) {}

    /**
     * The most recently completed checkpoint under {@code dir}: the cluster's checkpoints directory
     * (every job under it) or one job's directory. Most recent by the time its {@code _metadata} was
     * written, so a job resumed from a checkpoint (a new job id) wins over the job it resumed.
     *
     * @throws IOException with a one-line message saying what to do, when there is none
     */
    public static Checkpoint latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no checkpoint directory " + dir + ": give the cluster's checkpoints directory"
                    + " (execution.checkpointing.dir; 'rnnstream cluster start' prints it)");
        }
        List<Path> jobDirs = new ArrayList<>();
        if (hasCheckpoints(dir)) {
            jobDirs.add(dir);
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory).forEach(jobDirs::add);
            }
        }
        Checkpoint best = null;
        long bestTime = Long.MIN_VALUE;
        for (Path job : jobDirs) {
            for (Checkpoint c : completed(job)) {
                long t = Files.getLastModifiedTime(c.dir().resolve(METADATA)).toMillis();
                if (best == null || t > bestTime || (t == bestTime && c.number() > best.number())) {
                    best = c;
                    bestTime = t;
                }
            }
        }
        if (best == null) {
            throw new IOException("no completed checkpoint (chk-N/" + METADATA + ") under " + dir + ": the job never"
                    + " completed one, or its checkpoints were not retained"
                    + " (execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION)");
        }
        return best;
    }

    private static boolean hasCheckpoints(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> CHK.matcher(p.getFileName().toString()).matches());
        }
    }

    /** One job directory's completed checkpoints, oldest first. */
    static List<Checkpoint> completed(Path jobDir) throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(jobDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = CHK.matcher(p.getFileName().toString());
                // An empty _metadata is a checkpoint the JobManager died while writing.
                if (m.matches() && Files.isRegularFile(p.resolve(METADATA)) && Files.size(p.resolve(METADATA)) > 0) {
                    out.add(new Checkpoint(p, jobDir.getFileName().toString(), Long.parseLong(m.group(1))));
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoint::number));
        return out;
    }
}
