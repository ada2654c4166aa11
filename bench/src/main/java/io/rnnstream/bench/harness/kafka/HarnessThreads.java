package io.rnnstream.bench.harness.kafka;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CPU time of the harness's own threads in the job's JVM: the harness runs the job's MiniCluster in its
 * own JVM, so the threads that measure the job (its CPU sampler, the readers of its children's lines, the
 * thread that waits for the stage to end) run beside it. The job's CPU per event leaves them out: they
 * took 2-3 % of that JVM's CPU in the measured part (docs/BENCHMARKS.md, session 26), and a job on a
 * cluster has none of them.
 */
final class HarnessThreads {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** Each thread's CPU time when last read: a thread that ended keeps what it spent. */
    private final Map<Long, Long> spent = new ConcurrentHashMap<>();

    void add(Thread t) {
        spent.putIfAbsent(t.getId(), 0L);
    }

    /** Their CPU time so far in ns; 0 where the JVM does not measure threads' CPU. */
    long cpuNanos() {
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
            return 0;
        }
        long sum = 0;
        for (Map.Entry<Long, Long> e : spent.entrySet()) {
            long now = threads.getThreadCpuTime(e.getKey());
            if (now > e.getValue()) {
                e.setValue(now);
            }
            sum += e.getValue();
        }
        return sum;
    }
}
