package io.rnnstream.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SettleTest {
    private static final Duration WINDOW = Settle.POLL.multipliedBy(Settle.WINDOW_POLLS);

    @Test
    void aQuietMachineWaitsOneWindow() throws Exception {
        Duration waited = new Settle(() -> 0L, () -> 0.1).await(Duration.ofSeconds(30));
        assertTrue(waited.compareTo(WINDOW) >= 0, "waited " + waited);
        assertTrue(waited.compareTo(Duration.ofSeconds(20)) < 0, "waited " + waited);
    }

    @Test
    void busyCompilersOrCpusKeepItWaitingUntilTheLimit() throws Exception {
        AtomicLong jit = new AtomicLong();
        Duration max = WINDOW.plus(Settle.POLL.multipliedBy(2));
        // The compilers busy half of the time: more than the quiet share.
        Duration waited = new Settle(() -> jit.addAndGet(Settle.POLL.toMillis() / 2), () -> 0.0).await(max);
        assertTrue(waited.compareTo(max) >= 0, "waited " + waited);
        waited = new Settle(() -> 0L, () -> 0.9).await(max);
        assertTrue(waited.compareTo(max) >= 0, "waited " + waited);
    }

    @Test
    void quietAfterABusyStartEndsEarly() throws Exception {
        AtomicLong polls = new AtomicLong();
        // Busy for the first three polls, quiet after.
        Duration waited = new Settle(() -> 0L, () -> polls.incrementAndGet() <= 3 ? 1.0 : 0.0)
                .await(Duration.ofSeconds(30));
        assertTrue(waited.compareTo(WINDOW.plus(Settle.POLL.multipliedBy(3))) >= 0, "waited " + waited);
        assertTrue(waited.compareTo(Duration.ofSeconds(20)) < 0, "waited " + waited);
    }
}
