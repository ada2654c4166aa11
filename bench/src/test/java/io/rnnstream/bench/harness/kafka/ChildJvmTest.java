package io.rnnstream.bench.harness.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Another process's CPU time, read from /proc, is what the JDK's ProcessHandle says. */
class ChildJvmTest {
    @Test
    void processCpuFromProcIsTheJdksNumber() {
        long busyUntil = System.nanoTime() + 200_000_000L;
        double x = 0;
        while (System.nanoTime() < busyUntil) {
            x += Math.sqrt(x + 1);
        }
        long pid = ProcessHandle.current().pid();
        long ours = ChildJvm.cpuNanos(pid);
        long jdk = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElseThrow();
        assertTrue(ours > 0 && x > 0, "read: " + ours);
        // Both count the kernel's clock ticks (10 ms); the two reads are a few ms apart on a busy JVM.
        assertEquals(jdk, ours, 60_000_000L, "ours " + ours + ", the JDK's " + jdk);
        assertEquals(-1, ChildJvm.cpuNanos(Long.MAX_VALUE));
    }
}
