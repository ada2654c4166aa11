package io.rnnstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A real standalone Flink session cluster: one JobManager process and N TaskManager processes, each a
 * child JVM with its own log file, all bound to 127.0.0.1. The processes run on the Flink jars a
 * distribution's {@code lib/} would hold (see {@link #clusterClasspath()}), so a job jar meets the same
 * class loading it meets in production.
 *
 * <p>Everything lives under one directory: {@code conf/config.yaml}, {@code log/}, {@code checkpoints/},
 * {@code savepoints/}, and {@code cluster.properties} (the REST address and the process ids, so that
 * another process, e.g. {@code rnnstream cluster stop}, can find and stop a cluster it did not start).
 */
public final class StandaloneCluster implements AutoCloseable {
    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String STATE_FILE = "cluster.properties";
    /** Where the cluster's processes serve Prometheus metrics: each the first free port of this range. */
    public static final String PROMETHEUS_PORTS = "9249-9268";

    /**
     * The module flags a Flink distribution passes every process on Java 17 (its
     * {@code env.java.opts.all}): Flink's serializers and its RPC reach into these JDK packages.
     */
    static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** How to start a cluster. */
    public record Settings(Path dir, int taskManagers, int slotsPerTaskManager, int restPort,
            String jobManagerMemory, String taskManagerMemory, Map<String, String> extraConfig, boolean detached,
            List<Path> libJars) {
        public Settings {
            libJars = libJars == null ? List.of() : List.copyOf(libJars);
            dir = dir.toAbsolutePath().normalize();
            if (taskManagers < 0 || slotsPerTaskManager < 1) {
                throw new IllegalArgumentException("need at least 0 TaskManagers and 1 slot per TaskManager");
            }
            jobManagerMemory = jobManagerMemory == null ? "768m" : jobManagerMemory;
            taskManagerMemory = taskManagerMemory == null ? "1024m" : taskManagerMemory;
            extraConfig = extraConfig == null ? Map.of() : Map.copyOf(extraConfig);
        }

        /** Defaults: a free REST port, 768 MB JobManager, 1 GB TaskManagers, children die with this JVM. */
        public static Settings of(Path dir, int taskManagers, int slotsPerTaskManager) {
            return new Settings(dir, taskManagers, slotsPerTaskManager, 0, null, null, null, false, null);
        }

        public Settings withRestPort(int port) {
            return new Settings(dir, taskManagers, slotsPerTaskManager, port, jobManagerMemory, taskManagerMemory,
                    extraConfig, detached, libJars);
        }

        public Settings withConfig(Map<String, String> config) {
            Map<String, String> m = new LinkedHashMap<>(extraConfig);
            m.putAll(config);
            return new Settings(dir, taskManagers, slotsPerTaskManager, restPort, jobManagerMemory, taskManagerMemory,
                    m, detached, libJars);
        }

        /** Detached processes outlive the JVM that started them (rnnstream cluster start). */
        public Settings detached(boolean d) {
            return new Settings(dir, taskManagers, slotsPerTaskManager, restPort, jobManagerMemory, taskManagerMemory,
                    extraConfig, d, libJars);
        }

        /**
         * Jars added to the processes' class path, as a user drops connector jars (e.g. Flink's
         * flink-sql-connector-kafka) into a distribution's lib/.
         */
        public Settings withLibJars(List<Path> jars) {
            return new Settings(dir, taskManagers, slotsPerTaskManager, restPort, jobManagerMemory, taskManagerMemory,
                    extraConfig, detached, jars);
        }
    }

    private final Settings settings;
    private final String classpath;
    private final int restPort;
    private final Path confDir;
    private final Path logDir;
    private final Configuration config;
    private Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private final Map<Process, String> resourceIds = new java.util.concurrent.ConcurrentHashMap<>();
    private int nextTaskManager = 1;
    private final Thread shutdownHook;

    private StandaloneCluster(Settings settings, String classpath, int restPort, Configuration config) {
        this.settings = settings;
        this.classpath = classpath;
        this.restPort = restPort;
        this.confDir = settings.dir().resolve("conf");
        this.logDir = settings.dir().resolve("log");
        this.config = config;
        // A test JVM that dies early must not leave a cluster behind; a detached cluster is meant to stay.
        this.shutdownHook = settings.detached() ? null : new Thread(this::stopProcesses, "stop-flink-cluster");
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Writes the configuration, starts the JobManager and the TaskManagers, waits until all registered. */
    public static StandaloneCluster start(Settings s, Duration timeout) throws IOException {
        String cp = clusterClasspath();
        for (Path jar : s.libJars()) {
            if (!Files.isRegularFile(jar)) {
                throw new IOException("no jar at " + jar + " to add to the cluster's class path");
            }
            cp = cp + java.io.File.pathSeparator + jar.toAbsolutePath();
        }
        Files.createDirectories(s.dir());
        int rest = s.restPort() == 0 ? freePort() : s.restPort();
        if (s.restPort() != 0 && !portFree(rest)) {
            throw new IOException("port " + rest + " on 127.0.0.1 is in use: stop what runs there "
                    + "(rnnstream cluster stop) or pick another with --rest-port");
        }
        Configuration conf = configuration(s, rest, freePort());
        StandaloneCluster c = new StandaloneCluster(s, cp, rest, conf);
        try {
            c.writeConfig();
            c.jobManager = c.launch(JOB_MANAGER_MAIN, "jobmanager", List.of());
            c.writeState();
            for (int i = 0; i < s.taskManagers(); i++) {
                c.startTaskManager();
            }
            c.awaitTaskManagers(s.taskManagers(), timeout);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    static Configuration configuration(Settings s, int restPort, int rpcPort) {
        Path dir = s.dir();
        Map<String, String> m = new LinkedHashMap<>();
        // Flink binds 0.0.0.0 by default; every address and bind host is pinned to loopback.
        m.put("jobmanager.rpc.address", "127.0.0.1");
        m.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        m.put("jobmanager.bind-host", "127.0.0.1");
        m.put("taskmanager.bind-host", "127.0.0.1");
        m.put("taskmanager.host", "127.0.0.1");
        m.put("rest.address", "127.0.0.1");
        m.put("rest.bind-address", "127.0.0.1");
        m.put("rest.port", Integer.toString(restPort));
        m.put("blob.server.port", "0");
        m.put("taskmanager.rpc.port", "0");
        m.put("taskmanager.data.port", "0");
        m.put("metrics.internal.query-service.port", "0");
        m.put("taskmanager.numberOfTaskSlots", Integer.toString(s.slotsPerTaskManager()));
        m.put(JobManagerOptions.TOTAL_PROCESS_MEMORY.key(), s.jobManagerMemory());
        m.put(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key(), s.taskManagerMemory());
        // The hash-map backend keeps the small per-key state on the heap: no managed memory needed.
        m.put(TaskManagerOptions.MANAGED_MEMORY_FRACTION.key(), "0.05");
        m.put("state.backend.type", "hashmap");
        // Inert on the hash-map backend; a cluster switched to RocksDB (extra config) gets the job's
        // RocksDB tuning (FlinkSettings.ROCKSDB_OPTIONS; a test keeps the two equal).
        m.put("state.backend.rocksdb.compression.per.level", "NO_COMPRESSION");
        m.put("state.backend.rocksdb.use-bloom-filter", "true");
        m.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), dir.resolve("checkpoints").toUri().toString());
        m.put(CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), dir.resolve("savepoints").toUri().toString());
        // Without an HA service a JobManager that dies forgets its jobs: their retained checkpoints are
        // what 'rnnstream submit --from-latest-checkpoint' resumes from. Kept on cancellation too, as in
        // the Kubernetes manifest (docs/RELIABILITY.md).
        m.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // Restarts as everywhere rnnstream configures Flink (FlinkSettings.RESTART_OPTIONS; a test keeps them equal).
        m.put("restart-strategy.type", "exponential-delay");
        m.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        m.put("restart-strategy.exponential-delay.max-backoff", "1 min");
        m.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        m.put("restart-strategy.exponential-delay.reset-backoff-threshold", "10 min");
        m.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
        m.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "2147483647");
        // Flink's Prometheus reporter, on loopback as everything here (the stock one binds every interface;
        // FlinkSettings.loopbackPrometheusReporter, a test keeps the two equal). The JobManager and each
        // TaskManager take the first free port of the range: the JobManager, started first, usually 9249.
        m.put("metrics.reporter.prom.factory.class", "io.rnnstream.metrics.LoopbackPrometheusReporterFactory");
        m.put("metrics.reporter.prom.host", "127.0.0.1");
        m.put("metrics.reporter.prom.port", PROMETHEUS_PORTS);
        // Model ids as they are in the modelServed label (FlinkSettings.FILTER_LABEL_VALUES).
        m.put("metrics.reporter.prom.filterLabelValueCharacters", "false");
        // A TaskManager killed with -9 says nothing: a short heartbeat timeout notices it in seconds.
        m.put("heartbeat.interval", "1000");
        m.put("heartbeat.timeout", "6000");
        m.put("slot.request.timeout", "120000");
        m.put("web.upload.dir", dir.resolve("web-upload").toString());
        m.put("web.tmpdir", dir.resolve("web-tmp").toString());
        m.put("io.tmp.dirs", dir.resolve("tmp").toString());
        m.put("cluster.evenly-spread-out-slots", "true");
        m.putAll(s.extraConfig());
        return Configuration.fromMap(m);
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(logDir);
        for (String sub : List.of("checkpoints", "savepoints", "web-upload", "web-tmp", "tmp")) {
            Files.createDirectories(settings.dir().resolve(sub));
        }
        StringBuilder yaml = new StringBuilder("# Written by rnnstream's StandaloneCluster; flat keys.\n");
        for (Map.Entry<String, String> e : config.toMap().entrySet()) {
            yaml.append(e.getKey()).append(": \"").append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"\n");
        }
        Files.writeString(confDir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        Files.writeString(confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.name = file",
                "appender.file.type = File",
                "appender.file.append = true",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5level %-60c %x - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                // As the CLI's log4j2.properties: an exactly-once Kafka sink's gauges, registered again
                // at every checkpoint, are a warning per checkpoint about nothing.
                "logger.metricgroup.name = org.apache.flink.metrics.MetricGroup",
                "logger.metricgroup.level = INFO",
                "logger.metricgroup.filter.sendtime.type = RegexFilter",
                "logger.metricgroup.filter.sendtime.regex = .*'(currentSendTime|pendingCommittables)'.*",
                "logger.metricgroup.filter.sendtime.onMatch = DENY",
                "logger.metricgroup.filter.sendtime.onMismatch = NEUTRAL",
                ""), StandardCharsets.UTF_8);
    }

    /** Starts one more TaskManager (a fresh resource id); returns its process. */
    public synchronized Process startTaskManager() throws IOException {
        Process p = launch(TASK_MANAGER_MAIN, "taskmanager-" + nextTaskManager,
                List.of("-D", "taskmanager.resource-id=tm-" + nextTaskManager));
        resourceIds.put(p, "tm-" + nextTaskManager);
        nextTaskManager++;
        taskManagers.add(p);
        writeState();
        return p;
    }

    /** The running TaskManager processes, oldest first. */
    public synchronized List<Process> taskManagers() {
        taskManagers.removeIf(p -> !p.isAlive());
        return List.copyOf(taskManagers);
    }

    /** A TaskManager's resource id ({@code tm-N}), as the REST API's {@code /taskmanagers} names it. */
    public String resourceId(Process tm) {
        return resourceIds.get(tm);
    }

    /** {@code kill -9} of a TaskManager: no shutdown, no goodbye to the JobManager. */
    public synchronized void killTaskManager(Process tm) throws InterruptedException {
        tm.destroyForcibly();
        tm.waitFor(30, TimeUnit.SECONDS);
        taskManagers.remove(tm);
        writeStateQuietly();
    }

    public Process jobManager() {
        return jobManager;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public Path dir() {
        return settings.dir();
    }

    public Path logDir() {
        return logDir;
    }

    public Path savepointDir() {
        return settings.dir().resolve("savepoints");
    }

    /** Where jobs' checkpoints go, one directory per job id; retained when a job is cancelled. */
    public Path checkpointDir() {
        return settings.dir().resolve("checkpoints");
    }

    /** Waits until the JobManager's REST API reports at least {@code n} registered TaskManagers. */
    public void awaitTaskManagers(int n, Duration timeout) throws IOException {
        FlinkRest rest = new FlinkRest(restUrl());
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (jobManager == null || !jobManager.isAlive()) {
                throw new IOException("the JobManager exited: see " + logDir.resolve("jobmanager.log") + " and "
                        + logDir.resolve("jobmanager.out"));
            }
            try {
                JsonNode o = rest.overview();
                int tms = o.path("taskmanagers").asInt(-1);
                // Registered is not enough: a job can only be placed once the slots are reported too.
                if (tms >= n && o.path("slots-total").asInt(-1) >= n * settings.slotsPerTaskManager()) {
                    return;
                }
                last = tms + " TaskManagers registered";
            } catch (IOException e) {
                last = e.getMessage();
            }
            sleep(250);
        }
        throw new IOException("the cluster did not come up within " + timeout.toSeconds() + " s (" + last
                + "): see the logs in " + logDir);
    }

    private Process launch(String mainClass, String name, List<String> extraArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (settings.detached() && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Its own session: a Ctrl-C in the terminal that ran `rnnstream cluster start` does not reach it.
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> dynamic = new ArrayList<>();
        if (mainClass.equals(TASK_MANAGER_MAIN)) {
            // What Flink's own start scripts compute with BashJavaUtils: JVM sizes and the derived memory
            // settings, from the one process size in the configuration.
            TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
            cmd.addAll(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
            dynamic.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        } else {
            JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
            cmd.addAll(split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)));
            dynamic.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        }
        cmd.addAll(JAVA_17_OPTS);
        cmd.add("-XX:+IgnoreUnrecognizedVMOptions");
        cmd.add("-Djava.io.tmpdir=" + settings.dir().resolve("tmp"));
        cmd.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(confDir.toString());
        cmd.addAll(dynamic);
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(settings.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".out").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return pb.start();
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String t : s.trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private synchronized void writeState() throws IOException {
        Properties p = new Properties();
        p.setProperty("rest", restUrl());
        p.setProperty("dir", settings.dir().toString());
        if (jobManager != null) {
            p.setProperty("jobmanager.pid", Long.toString(jobManager.pid()));
        }
        StringBuilder tms = new StringBuilder();
        for (Process tm : taskManagers) {
            if (tm.isAlive()) {
                tms.append(tms.length() == 0 ? "" : ",").append(tm.pid());
            }
        }
        p.setProperty("taskmanager.pids", tms.toString());
        p.setProperty("next.taskmanager", Integer.toString(nextTaskManager));
        try (var out = Files.newBufferedWriter(settings.dir().resolve(STATE_FILE), StandardCharsets.UTF_8)) {
            p.store(out, "rnnstream standalone Flink cluster");
        }
    }

    private void writeStateQuietly() {
        try {
            writeState();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every process this object started: TaskManagers first, then the JobManager. */
    @Override
    public void close() {
        stopProcesses();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running or ran: nothing left to do.
            }
        }
        try {
            Files.deleteIfExists(settings.dir().resolve(STATE_FILE));
        } catch (IOException ignored) {
            // Only a marker for the CLI; the processes are gone either way.
        }
    }

    private synchronized void stopProcesses() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process tm : taskManagers) {
            all.add(tm.toHandle());
        }
        if (jobManager != null) {
            all.add(jobManager.toHandle());
        }
        stopAll(all);
        taskManagers.clear();
    }

    static void stopAll(List<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            h.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (ProcessHandle h : handles) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    /** What {@code cluster.properties} in a cluster directory says, for a process that did not start it. */
    public record State(String restUrl, Path dir, Optional<ProcessHandle> jobManager, List<ProcessHandle> taskManagers) {
        public boolean anyAlive() {
            return jobManager.map(ProcessHandle::isAlive).orElse(false)
                    || taskManagers.stream().anyMatch(ProcessHandle::isAlive);
        }
    }

    /** Reads a cluster directory's state file; empty when no cluster was started there. */
    public static Optional<State> readState(Path dir) throws IOException {
        Path f = dir.resolve(STATE_FILE);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Optional<ProcessHandle> jm = Optional.ofNullable(p.getProperty("jobmanager.pid"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)));
        List<ProcessHandle> tms = new ArrayList<>();
        for (String pid : p.getProperty("taskmanager.pids", "").split(",")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(tms::add);
            }
        }
        return Optional.of(new State(p.getProperty("rest"), dir, jm, tms));
    }

    /** Stops the cluster a state file describes (TaskManagers, then the JobManager) and removes the file. */
    public static boolean stop(Path dir) throws IOException {
        Optional<State> s = readState(dir);
        if (s.isEmpty()) {
            return false;
        }
        List<ProcessHandle> all = new ArrayList<>(s.get().taskManagers());
        s.get().jobManager().ifPresent(all::add);
        // Only processes that still are Java: a reused pid must never be killed.
        all.removeIf(h -> !h.info().command().map(c -> c.endsWith("java")).orElse(false));
        stopAll(all);
        Files.deleteIfExists(dir.resolve(STATE_FILE));
        return true;
    }

    /**
     * The cluster processes' classpath: Flink's runtime, clients, web UI, RocksDB and file connector, and
     * log4j, as {@code deploy/target/cluster-classpath.txt} lists them (written by the deploy module's build).
     */
    public static String clusterClasspath() throws IOException {
        String file = System.getProperty("rnnstream.cluster.classpath.file");
        Path f = null;
        if (file != null && !file.isBlank()) {
            f = Path.of(file);
        } else if (System.getProperty("rnnstream.home") != null) {
            f = Path.of(System.getProperty("rnnstream.home"), "deploy", "target", "cluster-classpath.txt");
        }
        if (f == null || !Files.isRegularFile(f)) {
            throw new IOException("the Flink cluster classpath " + (f == null ? "(rnnstream.cluster.classpath.file)" : f)
                    + " is missing: build it with 'mvn -B -o -q -pl deploy -am package -DskipTests'");
        }
        String cp = Files.readString(f, StandardCharsets.UTF_8).trim();
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                throw new IOException("the cluster classpath names " + entry + ", which does not exist: rebuild with "
                        + "'mvn -B -o -q -pl deploy -am package -DskipTests'");
            }
        }
        return cp;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "Flink cluster at " + restUrl() + " (" + taskManagers().size() + " TaskManagers, dir " + settings.dir()
                + ")";
    }
}
