package io.rnnstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.deploy.FlinkRest;
import io.rnnstream.deploy.StandaloneCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A real standalone Flink session cluster on 127.0.0.1: one JobManager and N TaskManager"
                + " processes, from this build's Flink jars. 'start' leaves it running in the background (web UI"
                + " and REST API at http://127.0.0.1:8081); 'status' shows it; 'stop' stops every process.",
            "Jobs go in with 'rnnstream submit'."})
public final class ClusterCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "ACTION", description = "start, stop or status")
    String action;

    @Option(names = "--dir", description = "The cluster's configuration, logs, checkpoints and savepoints"
            + " (default: .rnnstream/cluster in the checkout).")
    Path dir;

    @Option(names = "--task-managers", description = "TaskManager processes to start (default: ${DEFAULT-VALUE}).",
            defaultValue = "2")
    int taskManagers;

    @Option(names = "--slots", description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).",
            defaultValue = "2")
    int slots;

    @Option(names = "--rest-port", description = "REST API and web UI port on 127.0.0.1 (default: ${DEFAULT-VALUE}).",
            defaultValue = "8081")
    int restPort;

    @Option(names = "--taskmanager-memory", description = "Each TaskManager's total process memory"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "1024m")
    String taskManagerMemory;

    @Option(names = "--start-timeout", description = "How long to wait for every TaskManager to register"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "120s", converter = StreamCommand.DurationConverter.class)
    Duration startTimeout;

    static Path defaultDir() {
        return Path.of(System.getProperty("rnnstream.home", "."), ".rnnstream", "cluster").toAbsolutePath().normalize();
    }

    @Override
    protected int run() throws Exception {
        Path d = (dir == null ? defaultDir() : dir).toAbsolutePath().normalize();
        switch (action) {
            case "start":
                return start(d);
            case "stop":
                if (StandaloneCluster.stop(d)) {
                    out().println("stopped the cluster in " + d);
                } else {
                    out().println("no cluster was started in " + d);
                }
                return 0;
            case "status":
                return status(d);
            default:
                throw new IllegalArgumentException("unknown action '" + action + "': use start, stop or status");
        }
    }

    private int start(Path d) throws IOException {
        Optional<StandaloneCluster.State> s = StandaloneCluster.readState(d);
        if (s.isPresent() && s.get().anyAlive()) {
            throw new IllegalStateException("a cluster already runs from " + d + " (" + s.get().restUrl()
                    + "): 'rnnstream cluster stop' first");
        }
        err().println("starting a Flink cluster in " + d + " …");
        StandaloneCluster c = StandaloneCluster.start(new StandaloneCluster.Settings(d, taskManagers, slots, restPort,
                null, taskManagerMemory, Map.of(), true, List.of()), startTimeout);
        // Detached: the processes outlive this command; 'cluster stop' finds them through the state file.
        out().println("Flink " + new FlinkRest(c.restUrl()).overview().path("flink-version").asText() + " with "
                + taskManagers + " TaskManagers x " + slots + " slots");
        out().println("web UI and REST API: " + c.restUrl());
        out().println("logs: " + c.logDir());
        out().println("savepoints: " + c.savepointDir());
        out().println("checkpoints: " + c.checkpointDir() + " (after a JobManager loss: rnnstream submit"
                + " --from-latest-checkpoint " + c.checkpointDir() + " -- <the same job arguments>)");
        out().println("submit a job: rnnstream submit -- --model MODEL --bootstrap-servers 127.0.0.1:9092 ...");
        out().println("stop it: rnnstream cluster stop");
        return 0;
    }

    private int status(Path d) throws IOException {
        Optional<StandaloneCluster.State> s = StandaloneCluster.readState(d);
        if (s.isEmpty() || !s.get().anyAlive()) {
            out().println("no cluster runs from " + d + " (start one: rnnstream cluster start)");
            return 3;
        }
        StandaloneCluster.State st = s.get();
        out().println("cluster in " + d + ": JobManager " + st.jobManager().map(h -> "pid " + h.pid()).orElse("gone")
                + ", TaskManager pids " + st.taskManagers().stream().filter(ProcessHandle::isAlive)
                        .map(h -> Long.toString(h.pid())).toList());
        FlinkRest rest = new FlinkRest(st.restUrl());
        JsonNode o = rest.overview();
        out().println(st.restUrl() + ": Flink " + o.path("flink-version").asText() + ", "
                + o.path("taskmanagers").asInt() + " TaskManagers, " + o.path("slots-available").asInt() + "/"
                + o.path("slots-total").asInt() + " slots free");
        for (FlinkRest.JobSummary j : rest.jobs()) {
            out().println("  job " + j.id() + "  " + j.state() + "  " + j.name());
        }
        return 0;
    }
}
