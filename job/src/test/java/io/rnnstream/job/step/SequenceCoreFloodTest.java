package io.rnnstream.job.step;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.TestModels;
import io.rnnstream.model.Model;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Floods on the per-key rules (docs/RELIABILITY.md): one key sending a million steps keeps O(1) state,
 * a hundred thousand keys opening sequences at once each get their answer, and when traffic stops the
 * idle timeouts bring the state back to nothing. No Flink: the core's state is counted exactly.
 */
class SequenceCoreFloodTest {
    private static final Model MODEL = TestModels.simpleRnn(1);

    @Test
    void oneKeySendingAMillionStepsKeepsConstantState() throws Exception {
        CoreHarness c = new CoreHarness(MODEL, TestModels.ID, StreamOptions.defaults());
        float[] x = {0.25f, -0.5f, 1f};
        int n = 1_000_000;
        for (int t = 0; t < n; t++) {
            c.event(new Event("flood", t, Event.NO_TS, x, false));
            if (c.outputs.size() > 1_000) {
                c.outputs.clear(); // what is checked below is the count, kept by the core
            }
        }
        assertEquals(n, c.core.counts().outputs);
        assertEquals(0, c.core.counts().deadLetters);
        assertEquals(1, c.keysInState(), "one key, one value: no buffer, nothing per step");
        assertEquals(1, c.core.counts().activeSequences);
    }

    @Test
    void aHundredThousandKeysOpenAtOnceThenGoIdleAndLeaveNothing() throws Exception {
        CoreHarness c = new CoreHarness(MODEL, TestModels.ID,
                StreamOptions.defaults().idleTimeout(Duration.ofSeconds(1)));
        float[] x = {0.25f, -0.5f, 1f};
        int keys = 100_000;
        c.clock(0);
        for (int step = 0; step < 2; step++) {
            for (int k = 0; k < keys; k++) {
                c.event(new Event("k" + k, step, Event.NO_TS, x, false));
            }
        }
        assertEquals(2L * keys, c.core.counts().outputs);
        assertEquals(keys, c.core.counts().activeSequences);
        assertEquals(keys, c.keysInState());
        // Traffic stops: each key's idle timeout ends its sequence (one record each), and one more
        // period later the key is forgotten.
        c.clock(1_000);
        assertEquals(keys, c.core.counts().idleTimeouts);
        assertEquals(0, c.core.counts().activeSequences);
        c.clock(2_000);
        assertEquals(0, c.keysInState(), "the state is back to nothing once traffic stops");
        assertEquals(0, c.timers());
        assertEquals(c.core.counts().eventsIn, c.core.counts().outputs + c.core.counts().deadLetters);
    }
}
