package io.rnnstream.connectors.replay;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Waits, after a warm-up and before a timed replay (the demo's, {@code bench kafka}'s), until this JVM's
 * JIT compilers and the machine's CPUs have gone quiet. The warm-up makes the hot paths hot; compiling
 * them takes the compilers seconds more, and on a small machine whose broker, job, producer and consumer
 * share the cores, replaying into that made the first seconds' latency a second or more
 * (docs/BENCHMARKS.md, session 14).
 */
public final class Settle {
    /** How often the compilers' time and the CPU load are read. */
    static final Duration POLL = Duration.ofMillis(250);
    /** Quiet means: over the last this long, ... */
    static final int WINDOW_POLLS = 4;
    /** ... the compilers ran at most this share of the wall time, ... */
    static final double MAX_JIT_SHARE = 0.10;
    /** ... and the machine's CPUs were at most this busy. */
    static final double MAX_CPU_LOAD = 0.50;

    private final LongSupplier jitMillis;
    private final DoubleSupplier cpuLoad;

    Settle(LongSupplier jitMillis, DoubleSupplier cpuLoad) {
        this.jitMillis = jitMillis;
        this.cpuLoad = cpuLoad;
    }

    /** This JVM's compilers and the whole machine's CPU load (0..1, negative when unknown). */
    public static Settle thisMachine() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        LongSupplier jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit::getTotalCompilationTime : () -> 0L;
        DoubleSupplier load = ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os::getCpuLoad : () -> -1;
        return new Settle(jitMillis, load);
    }

    /**
     * Returns once a full window was quiet, or after {@code max}.
     *
     * @return how long it waited
     */
    public Duration await(Duration max) throws InterruptedException {
        long start = System.nanoTime();
        long[] jit = new long[WINDOW_POLLS + 1];
        boolean[] calm = new boolean[WINDOW_POLLS];
        jit[0] = jitMillis.getAsLong();
        int polls = 0;
        while (System.nanoTime() - start < max.toNanos()) {
            Thread.sleep(POLL.toMillis());
            polls++;
            jit[polls % jit.length] = jitMillis.getAsLong();
            double load = cpuLoad.getAsDouble();
            calm[polls % calm.length] = load <= MAX_CPU_LOAD; // unknown (negative) counts as calm
            if (polls >= WINDOW_POLLS) {
                long compiled = jit[polls % jit.length] - jit[(polls - WINDOW_POLLS) % jit.length];
                boolean allCalm = true;
                for (boolean c : calm) {
                    allCalm &= c;
                }
                if (allCalm && compiled <= MAX_JIT_SHARE * WINDOW_POLLS * POLL.toMillis()) {
                    break;
                }
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
