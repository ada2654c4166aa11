package io.rnnstream.cli;

import io.rnnstream.deploy.FlinkRest;
import io.rnnstream.deploy.RetainedCheckpoints;
import io.rnnstream.deploy.StandaloneCluster;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Runs the job jar on a Flink cluster through its REST API (upload, then run), optionally"
                + " from a savepoint and at a new parallelism; or stops a job with a savepoint, cancels it, lists jobs.",
            "Job arguments go after '--' (see docs/DEPLOY.md):",
            "  rnnstream submit -p 2 -- --model models/mnist-simplernn.rnns --bootstrap-servers 127.0.0.1:9092"
                + " --input-topic events --output-topic outputs --dlq-topic dead-letters",
            "  rnnstream submit --stop JOB_ID            (prints the savepoint's path)",
            "  rnnstream submit -p 3 --savepoint PATH -- …   (resume, rescaled)",
            "  rnnstream submit --from-latest-checkpoint .rnnstream/cluster/checkpoints -- …   (after a JobManager"
                + " loss)"})
public final class SubmitCommand extends BaseCommand {
    static final String ENTRY_CLASS = "io.rnnstream.job.JobMain";

    @Option(names = "--rest", description = "The cluster's REST address (default: the one 'rnnstream cluster start'"
            + " started, else http://127.0.0.1:8081).")
    String restUrl;

    @Option(names = "--jar", description = "The job jar (default: this build's job/target/rnnstream-job-*-flink-job.jar).")
    Path jar;

    @Option(names = {"-p", "--parallelism"}, description = "The job's parallelism (default: the cluster's).")
    Integer parallelism;

    @Option(names = {"-s", "--savepoint"}, description = "Resume from this savepoint (or retained checkpoint).")
    String savepoint;

    @Option(names = "--from-latest-checkpoint", paramLabel = "DIR", description = "Resume from the most recent"
            + " completed checkpoint under DIR (the cluster's checkpoints directory, or one job's): after a"
            + " JobManager loss on a cluster without HA, with the same job arguments.")
    Path fromLatestCheckpoint;

    @Option(names = "--allow-non-restored-state", description = "Resume even if the savepoint has state no operator"
            + " of the new job claims.")
    boolean allowNonRestoredState;

    @Option(names = "--entry-class", description = "Main class (default: ${DEFAULT-VALUE}).", defaultValue = ENTRY_CLASS)
    String entryClass;

    @Option(names = "--stop", paramLabel = "JOB_ID", description = "Stop this job with a savepoint and print its path.")
    String stop;

    @Option(names = "--savepoint-dir", description = "Where --stop writes the savepoint (default: the cluster's"
            + " savepoint directory).")
    String savepointDir;

    @Option(names = "--cancel", paramLabel = "JOB_ID", description = "Cancel this job without a savepoint.")
    String cancel;

    @Option(names = "--list", description = "List the cluster's jobs.")
    boolean list;

    @Option(names = "--timeout", description = "How long to wait for a savepoint or for the job to run"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "5m", converter = StreamCommand.DurationConverter.class)
    Duration timeout;

    @Parameters(paramLabel = "JOB_ARGS", description = "The job's arguments, after '--'.")
    List<String> jobArgs = new ArrayList<>();

    @Override
    protected int run() throws Exception {
        FlinkRest rest = new FlinkRest(restUrl == null ? defaultRest() : restUrl);
        if (list) {
            for (FlinkRest.JobSummary j : rest.jobs()) {
                out().println(j.id() + "  " + j.state() + "  " + j.name());
            }
            return 0;
        }
        if (stop != null) {
            String location = rest.stopWithSavepoint(stop, savepointDir, timeout);
            out().println("stopped job " + stop + "; savepoint: " + location);
            out().println("resume it: rnnstream submit --savepoint " + location + " [-p N] -- <the same job arguments>");
            return 0;
        }
        if (cancel != null) {
            rest.cancel(cancel);
            out().println("cancelled job " + cancel + ": " + rest.awaitState(cancel, timeout, "CANCELED", "FAILED",
                    "FINISHED"));
            return 0;
        }
        if (jobArgs.isEmpty()) {
            throw new IllegalArgumentException("no job arguments: put them after '--', e.g. 'rnnstream submit -- --model"
                    + " M.rnns --bootstrap-servers H:P --input-topic T --output-topic O --dlq-topic D'");
        }
        String from = savepoint;
        if (fromLatestCheckpoint != null) {
            if (savepoint != null) {
                throw new IllegalArgumentException("--savepoint and --from-latest-checkpoint both say where to resume"
                        + " from: give one");
            }
            RetainedCheckpoints.Checkpoint c = RetainedCheckpoints.latest(fromLatestCheckpoint.toAbsolutePath());
            from = c.dir().toUri().toString();
            err().println("resuming from checkpoint " + c.number() + " of job " + c.jobId() + ": " + from);
            err().flush();
        }
        Path j = jar == null ? defaultJar() : jar;
        String jarId = rest.uploadJar(j);
        String jobId = rest.run(jarId, new FlinkRest.RunRequest(entryClass, absoluteModel(jobArgs), parallelism,
                from, allowNonRestoredState));
        out().println("job " + jobId + " submitted to " + rest.url() + (from == null ? "" : " from " + from));
        out().println("watch it: " + rest.url() + "/#/job/running/" + jobId);
        out().println("stop it with a savepoint: rnnstream submit --stop " + jobId);
        return 0;
    }

    /** The JobManager reads --model itself, from its own working directory: give it an absolute path. */
    static List<String> absoluteModel(List<String> args) {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            String a = out.get(i);
            if (a.equals("--model") && i + 1 < out.size() && Files.exists(Path.of(out.get(i + 1)))) {
                out.set(i + 1, Path.of(out.get(i + 1)).toAbsolutePath().normalize().toString());
            } else if (a.startsWith("--model=") && Files.exists(Path.of(a.substring(8)))) {
                out.set(i, "--model=" + Path.of(a.substring(8)).toAbsolutePath().normalize());
            }
        }
        return out;
    }

    static String defaultRest() throws IOException {
        return StandaloneCluster.readState(ClusterCommand.defaultDir())
                .filter(StandaloneCluster.State::anyAlive)
                .map(StandaloneCluster.State::restUrl)
                .orElse("http://127.0.0.1:8081");
    }

    static Path defaultJar() throws IOException {
        Path target = Path.of(System.getProperty("rnnstream.home", "."), "job", "target");
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "rnnstream-job-*-flink-job.jar")) {
                for (Path p : ds) {
                    return p;
                }
            }
        }
        throw new IOException("no job jar in " + target.toAbsolutePath() + ": build it with 'mvn -B -o -q -pl job -am"
                + " package -DskipTests' or pass --jar");
    }
}
