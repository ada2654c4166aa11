package io.rnnstream.job;

/**
 * Everything the {@link io.rnnstream.job.step.SequenceCore} keeps for a key between two events, the recurrent state
 * included, in one state value: each event then costs one read and one write (one RocksDB get and
 * put, one hash lookup on the heap), which is what bounds the stream's speed, not the arithmetic.
 * The keyed state writes it with {@link SequenceMetaSerializer}; up to b4330e2 Flink's PojoSerializer
 * wrote it, and savepoints of that time are migrated on restore (release 0.1.0 wrote this class
 * without {@link #state} and kept the state in two other values, which the step operator still reads
 * once to migrate a key: io.rnnstream.job.step.ReleaseZeroOneState). So it stays a valid Flink POJO,
 * and keeps its name, because those savepoints name it. A new field goes into the serializer too.
 */
public class SequenceMeta {
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** A sequence is running: its step 0 has been applied. */
    public boolean active;
    /** Steps applied so far in the running sequence, which is also the next step expected. */
    public int nextStep;
    /** While no sequence runs: the last step of the one that ended (-1: none ended, or forgotten). */
    public int endedAt = -1;
    /** The ended sequence ended by idle timeout (so any later step of it is late). */
    public boolean endedByTimeout;
    /** The early decision was made in the running sequence. */
    public boolean decided;
    /** Entries in the early-step buffer. */
    public int buffered;
    /** The largest event time seen in the running sequence (or its buffered steps). */
    public long maxTs = io.rnnstream.connectors.Event.NO_TS;
    /** The registered timer (idle deadline, or when to forget an ended sequence), or {@link #NO_TIMER}. */
    public long timer = NO_TIMER;
    /** Whether {@link #timer} is an event-time timer (else processing time). */
    public boolean timerEventTime;
    /**
     * The id of the model the running sequence was assigned when it started (null: the job's own
     * model), so that a model update never changes the model under a running sequence unless the
     * swap policy says so.
     */
    public String model;
    /**
     * The running sequence's recurrent state: every layer's h, and an LSTM's c (null while none runs).
     * The last output is not kept: {@link io.rnnstream.model.StepKernel#outputOf} computes it again
     * from h, bit for bit.
     */
    public float[] state;
    /** The last output, only for a model without a recurrent layer (whose output h cannot give). */
    public float[] lastOutput;

    public SequenceMeta() {}

    /** An event time of the running sequence (or its buffered steps), if the event had one. */
    public void seen(long ts) {
        if (ts != io.rnnstream.connectors.Event.NO_TS) {
            maxTs = Math.max(maxTs, ts);
        }
    }

    /** A new sequence starts (step 0 is being applied); where the last one ended is forgotten. */
    public void startSequence() {
        active = true;
        nextStep = 0;
        decided = false;
        endedAt = -1;
        endedByTimeout = false;
    }

    /** The running sequence's state and bookkeeping go; where it ended (endedAt) and the timer stay. */
    public void forgetSequence() {
        state = null;
        lastOutput = null;
        active = false;
        nextStep = 0;
        decided = false;
        maxTs = io.rnnstream.connectors.Event.NO_TS;
        model = null;
    }
}
