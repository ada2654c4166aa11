package io.rnnstream.job.step;

import io.rnnstream.connectors.DeadLetterReason;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the step stage did on one subtask since it opened. Plain counters, so the rules count without
 * Flink; {@link StepOperator} publishes them as the {@code rnnstream} metrics (docs/STREAMING.md).
 */
public final class StepCounts {
    public long eventsIn;
    public long outputs;
    public long deadLetters;
    /** {@link #deadLetters} by kind, indexed by {@link DeadLetterReason#ordinal()}. */
    public final long[] deadLettersByReason = new long[DeadLetterReason.values().length];
    public long idleTimeouts;
    public long endOfInputFinals;
    public long ttlExpiries;
    public long retiredModelEnds;
    /** Sequences running: started minus ended, plus those found running in restored state. */
    public long activeSequences;

    /** By metric name, in the order docs/STREAMING.md lists them. */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("eventsIn", eventsIn);
        m.put("outputs", outputs);
        m.put("deadLetters", deadLetters);
        m.put("idleTimeouts", idleTimeouts);
        m.put("endOfInputFinals", endOfInputFinals);
        m.put("ttlExpiries", ttlExpiries);
        m.put("retiredModelEnds", retiredModelEnds);
        m.put("activeSequences", activeSequences);
        return m;
    }
}
