package io.rnnstream.bench.harness.kafka;

import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A benchmark process of its own (the generator, the measuring consumer): a child JVM on this JVM's
 * classpath, so its CPU time is its own. It reads its settings from a properties file and talks back
 * in lines on stdout; its stderr and logs go to files in the run's directory.
 */
final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Thread reader;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final Path stderr;

    private ChildJvm(String name, Process process, Consumer<String> onLine, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(() -> read(onLine), name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param settings written to {@code dir/NAME.properties}, the child's one argument
     * @param onLine called with every line the child prints on stdout, on a reader thread
     */
    static ChildJvm start(String name, Class<?> mainClass, Map<String, String> settings, Path dir,
            Consumer<String> onLine) throws IOException {
        Path file = dir.resolve(name + ".properties");
        Properties p = new Properties();
        p.putAll(settings);
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "rnnstream bench kafka: " + name);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms256m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseG1GC");
        cmd.add("-Djava.io.tmpdir=" + dir);
        // The CLI's log4j configuration writes to this file: never the parent's (it would be truncated).
        cmd.add("-Drnnstream.log.file=" + dir.resolve(name + ".log"));
        cmd.add("-cp");
        cmd.add(LocalKafkaBroker.classpath());
        cmd.add(mainClass.getName());
        cmd.add(file.toString());
        Path stderr = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        return new ChildJvm(name, process, onLine, stderr);
    }

    private void read(Consumer<String> onLine) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > 5) {
                        lastLines.removeFirst();
                    }
                }
                onLine.accept(line);
            }
        } catch (IOException e) {
            // the child exited
        }
    }

    /** Writes one line to the child's stdin (e.g. the generator's "go"). */
    void tell(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            // the child has exited: its exit code and output say why
        }
    }

    long pid() {
        return process.pid();
    }

    /** The thread that reads the child's lines (in this JVM). */
    Thread reader() {
        return reader;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the child to exit and for its last line to be read; false if it is still running. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        reader.join(5_000);
        return true;
    }

    int exitValue() {
        return process.exitValue();
    }

    /** What went wrong, for an error message: the child's last lines and where its stderr is. */
    String diagnosis() {
        synchronized (lastLines) {
            return name + " (pid " + process.pid() + (process.isAlive() ? ", running" : ", exit "
                    + process.exitValue()) + ") last said " + lastLines + "; see " + stderr;
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** This JVM's CPU time in ns, all threads (what each child reports of itself). */
    static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Milliseconds this JVM's JIT compilers have spent so far. On two shared cores they keep compiling for
     * a minute or two after start (more at low rates, where code turns hot slowly), and that compiling is
     * CPU the measured part pays for: reported so that a run can tell it was not yet in its steady state.
     */
    static long compileMillis() {
        var c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
    }

    /**
     * Another process's CPU time in ns (user + system, to the kernel's clock tick), or -1 if unknown. On
     * Linux from {@code /proc/PID/stat} (utime and stime, in USER_HZ: 100 ticks a second): the job's JVM
     * samples the broker every 50 ms, and {@code ProcessHandle.info()} also reads and splits the broker's
     * whole command line, ~0.5 ms a call, 1.3 % of the CPU the job was charged (docs/BENCHMARKS.md,
     * session 22).
     */
    static long cpuNanos(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isReadable(stat)) {
            try {
                String s = Files.readString(stat);
                // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
            } catch (IOException | RuntimeException gone) {
                return -1;
            }
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }

    /** The wall clock in µs since the epoch: the same clock in every process on this machine. */
    static long wallMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** In a child: prints {@code line.get()} every 50 ms on {@code out}, the harness's view of its progress. */
    static Thread reporter(java.util.function.Supplier<String> line, java.io.PrintStream out) {
        return every50ms("progress", () -> {
            out.println(line.get());
            out.flush();
        });
    }

    /** A daemon thread that runs {@code task} every 50 ms until interrupted. */
    static Thread every50ms(String name, Runnable task) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                task.run();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** In a child: the harness reads this line as the child's failure; exit 1. */
    static void fail(java.io.PrintStream out, String what, Throwable e) {
        out.println("error " + what + ": " + e);
        out.flush();
        System.exit(1);
    }

    static void stop(Thread reporter) throws InterruptedException {
        reporter.interrupt();
        reporter.join();
    }

    /** A child's settings file, read back. */
    static Properties settings(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("expected one argument, the settings file the harness wrote");
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The client settings under {@code prefix} (e.g. "producer."), prefix removed. */
    static Properties clientProperties(Properties settings, String prefix) {
        Properties p = new Properties();
        for (String k : settings.stringPropertyNames()) {
            if (k.startsWith(prefix)) {
                p.setProperty(k.substring(prefix.length()), settings.getProperty(k));
            }
        }
        return p;
    }
}
