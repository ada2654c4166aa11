package io.rnnstream.bench.harness.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The harness's own threads' CPU, which the job's CPU leaves out, keeps what a thread spent after it ended. */
class HarnessThreadsTest {
    @Test
    void countsItsThreadsOnlyAndKeepsWhatAnEndedOneSpent() throws Exception {
        HarnessThreads harness = new HarnessThreads();
        Thread busy = new Thread(() -> spin(200), "busy-harness-thread");
        Thread other = new Thread(() -> spin(200), "not-the-harness");
        harness.add(busy);
        busy.start();
        other.start();
        long whileRunning = 0;
        while (busy.isAlive()) {
            whileRunning = Math.max(whileRunning, harness.cpuNanos());
            Thread.sleep(20);
        }
        busy.join();
        other.join();
        long after = harness.cpuNanos();
        // The two spinning threads share two cores with the rest of the build: at least a third of 200 ms each.
        assertTrue(after >= 60_000_000L, "counted " + after + " ns");
        assertTrue(after < 400_000_000L, "counted " + after + " ns: more than the one thread spent");
        assertTrue(after >= whileRunning, "an ended thread's CPU must stay counted: " + whileRunning + " then " + after);
        assertEquals(after, harness.cpuNanos(), "nothing runs any more");
    }

    private static void spin(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        double x = 0;
        while (System.nanoTime() < until) {
            x += Math.sqrt(x + 1);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }
}
