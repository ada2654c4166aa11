package io.rnnstream.job.step;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.DeadLetterReason;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.swap.ServedModel;
import io.rnnstream.job.swap.ServedModels;
import io.rnnstream.job.swap.SwapPolicy;
import io.rnnstream.model.StepKernel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * The per-key rules of docs/STREAMING.md in plain Java: given one key's state and an event, a timer or
 * the end of the input, it decides what happens (apply, buffer, emit, end, dead-letter with the reason,
 * which model, when to wake) and says so through {@link KeyState}, {@link Timers} and {@link Emitter}.
 * Flink ({@link StepOperator}) and SQL adapt to it. An in-order event costs one read and one write of the
 * key's {@link SequenceMeta} and one kernel step; every event ends as one output or one dead letter.
 * Not thread-safe: one per subtask.
 */
public final class SequenceCore {
    public static final String REASON_IDLE = "idle-timeout";
    public static final String REASON_END_OF_INPUT = "end-of-input";

    private final ServedModels models;
    private final StreamOptions opts;
    private final StepCounts counts = new StepCounts();
    private LongConsumer stepNanos = n -> {};
    private Stepper stepper = this::timedStep;

    /**
     * How {@link #onEvent} runs the kernel for one step: {@link #timedStep} unless the operator's
     * {@link StepBundle} stepped the key already, together with other keys.
     */
    public interface Stepper {
        /** {@link StepKernel#step}: advances {@code state} in place and returns the output (reused array). */
        float[] step(StepKernel kernel, float[] state, float[] x);
    }

    public SequenceCore(ServedModels models, StreamOptions opts) {
        this.models = models;
        this.opts = opts;
    }

    public StepCounts counts() {
        return counts;
    }

    public ServedModels models() {
        return models;
    }

    /** Hears how long each kernel step took (the operator's latency histogram). */
    public SequenceCore timeSteps(LongConsumer nanos) {
        this.stepNanos = nanos;
        return this;
    }

    /** Steps through {@code s} from now on (the operator's bundle; it falls back to {@link #timedStep}). */
    public SequenceCore stepWith(Stepper s) {
        this.stepper = s;
        return this;
    }

    /** One kernel step, its time reported to {@link #timeSteps}' listener. */
    public float[] timedStep(StepKernel kernel, float[] state, float[] x) {
        long t0 = System.nanoTime();
        float[] y = kernel.step(state, x);
        stepNanos.accept(System.nanoTime() - t0);
        return y;
    }

    /** Where step times go (the bundle reports each event's share of a batched product there). */
    LongConsumer stepNanos() {
        return stepNanos;
    }

    /**
     * The kernel {@link #onEvent} would step {@code e} with, given the key's {@code meta} as it is now,
     * when the event is the running sequence's next step; else null (it starts, waits, ends or is
     * refused: those take the rules' longer path). A bundle steps these ahead of time; {@link #onEvent}
     * still decides, and takes the result only if it then steps exactly this state with these features.
     */
    public StepKernel nextStepKernel(SequenceMeta meta, Event e) {
        if (meta == null || !meta.active || meta.state == null || e.features == null
                || opts.swapPolicy().switchesRunning() || (e.hasStep() && e.step != meta.nextStep)) {
            return null;
        }
        ServedModel m = models.get(meta.model);
        return m != null && e.features.length == m.kernel.model().inputSize() ? m.kernel : null;
    }

    /** An event of {@code state}'s key. */
    public void onEvent(Event e, KeyState state, Timers timers, Emitter out) throws Exception {
        counts.eventsIn++;
        SequenceMeta meta = state.meta();
        if (meta != null && Deadlines.passedBy(meta, e, timers)) {
            // As if the timer had fired first, so a replay gives the same records however watermarks interleave.
            deadline(meta, REASON_IDLE, state, timers, out);
            meta = state.meta();
        }
        if (meta == null) {
            meta = new SequenceMeta();
        }
        String bad = EventParser.whyNotSteppable(e, models.inputSize());
        if (bad != null) {
            dead(out, e, DeadLetterReason.ofParseError(bad), bad);
            return;
        }
        int s = e.hasStep() ? e.step : (meta.active ? meta.nextStep : 0);
        int t = opts.sequenceLength();
        if (t > 0 && s >= t) {
            dead(out, e, DeadLetterReason.BEYOND_SEQUENCE_LENGTH,
                    "step " + s + " is beyond the sequence length " + t + " (--sequence-length): steps run 0.."
                    + (t - 1));
            return;
        }
        if (meta.active) {
            if (s < meta.nextStep) {
                dead(out, e, DeadLetterReason.DUPLICATE_STEP, "duplicate: step " + s + " was already applied");
                return;
            }
            if (s > meta.nextStep) {
                bufferEarly(meta, e, s, meta.nextStep, state, timers, out);
                return;
            }
        } else if (s > 0) {
            if (meta.endedAt >= 0 && (meta.endedByTimeout || s <= meta.endedAt)) {
                dead(out, e, DeadLetterReason.LATE_STEP,
                        "late: step " + s + " arrived after its sequence ended at step " + meta.endedAt
                        + (meta.endedByTimeout ? " (idle timeout)" : ""));
                return;
            }
            // Perhaps an early step of a new sequence whose step 0 is on its way.
            bufferEarly(meta, e, s, 0, state, timers, out);
            return;
        } else {
            meta.startSequence();
            // The event's ts picks the model, so a replay picks the same one; the wall clock without one.
            meta.model = models.assign(e.hasTs() ? e.ts : timers.currentProcessingTime());
            counts.activeSequences++;
        }
        apply(meta, e, s, state, timers, out);
        while (meta.active && meta.buffered > 0) {
            Event next = state.early(meta.nextStep);
            if (next == null) {
                break;
            }
            state.removeEarly(meta.nextStep);
            meta.buffered--;
            apply(meta, next, meta.nextStep, state, timers, out);
        }
        if (meta.active) {
            // An ended sequence was already written (or cleared) by end().
            state.update(meta);
        }
    }

    /** A timer of {@code state}'s key fired at {@code timestamp}. */
    public void onTimer(long timestamp, KeyState state, Timers timers, Emitter out) throws Exception {
        SequenceMeta meta = state.meta();
        if (meta == null) {
            // The timer outlived its key's state: the TTL removed the state first (e.g. an event-time
            // timer whose watermark stalled). The sequence ends without its idle-timeout record.
            counts.ttlExpiries++;
            return;
        }
        if (meta.timer != timestamp) {
            return;
        }
        meta.timer = SequenceMeta.NO_TIMER;
        // A watermark at +∞ means the input ended: no further event can come for any key.
        boolean endOfInput = meta.timerEventTime && timers.currentWatermark() == Long.MAX_VALUE;
        deadline(meta, endOfInput ? REASON_END_OF_INPUT : REASON_IDLE, state, timers, out);
    }

    /** The bounded input ended: the key's running sequence and buffered steps are finished now. */
    public void onEndOfInput(KeyState state, Emitter out) throws Exception {
        SequenceMeta meta = state.meta();
        if (meta != null && (meta.active || meta.buffered > 0)) {
            deadline(meta, REASON_END_OF_INPUT, state, null, out);
        }
    }

    private void bufferEarly(SequenceMeta meta, Event e, int s, int waitingFor, KeyState state, Timers timers,
            Emitter out) throws Exception {
        int max = opts.maxBufferedSteps();
        if (s - waitingFor > max) {
            dead(out, e, DeadLetterReason.BEYOND_STEP_BUFFER,
                    "step " + s + " is beyond the buffer: waiting for step " + waitingFor + ", and at most "
                    + max + " steps ahead of it are kept (--max-buffered-steps)");
            return;
        }
        if (state.hasEarly(s)) {
            dead(out, e, DeadLetterReason.DUPLICATE_STEP, "duplicate: step " + s + " is already buffered");
            return;
        }
        // State keeps the POJO's fields only: the payload's text goes in as one of them.
        e.keepRaw();
        state.putEarly(s, e);
        meta.buffered++;
        meta.seen(e.ts);
        Deadlines.arm(meta, e, opts.idleTimeout(), timers);
        state.update(meta);
    }

    /** Step {@code s} of the running sequence: the only place the model runs. */
    private void apply(SequenceMeta meta, Event e, int s, KeyState state, Timers timers, Emitter out)
            throws Exception {
        ServedModel m = models.get(meta.model);
        boolean reset = false;
        if (s > 0 && opts.swapPolicy().switchesRunning()) {
            String target = models.switchTo(meta.model, e.hasTs() ? e.ts : timers.currentProcessingTime(),
                    opts.swapPolicy());
            if (!Objects.equals(target, meta.model)) {
                m = models.get(target);
                meta.model = target;
                reset = opts.swapPolicy() == SwapPolicy.SWITCH_RESET;
            }
        }
        if (m == null) {
            counts.retiredModelEnds++;
            dead(out, e, DeadLetterReason.MODEL_RETIRED,
                    "model retired: step " + s + " cannot continue its sequence on model " + meta.model
                    + ", retired after " + ServedModels.RETAINED_SUPERSEDED + " newer model updates");
            end(meta, s - 1, true, "its model was retired", state, timers, out);
            return;
        }
        float[] h = s == 0 ? m.kernel.newState() : meta.state;
        if (h == null) {
            // Only a key restored from a 0.1.0 savepoint can get here: its state lived in another value,
            // which the TTL could expire apart from the bookkeeping.
            counts.ttlExpiries++;
            dead(out, e, DeadLetterReason.STATE_EXPIRED,
                    "state expired: step " + s + " cannot continue a sequence whose state the TTL removed"
                    + " (raise --state-ttl)");
            end(meta, s - 1, true, "its sequence's state expired", state, timers, out);
            return;
        }
        if (reset) {
            h = m.kernel.newState();
        }
        float[] y = stepper.step(m.kernel, h, e.features);
        // Written back with the bookkeeping, in one state write, by the caller.
        meta.state = h;
        meta.nextStep = s + 1;
        meta.seen(e.ts);
        OutputRecord r = m.record(state.key(), s, y.clone(), h, opts.emitHidden());
        if (opts.decides() && !meta.decided && m.head.decides(r.output)) {
            meta.decided = true;
            r.decision = true;
        }
        int t = opts.sequenceLength();
        r.last = e.end || (t > 0 && s + 1 == t);
        out.output(r);
        counts.outputs++;
        if (r.last) {
            end(meta, s, false, null, state, timers, out);
        } else {
            if (!m.outputFromState) {
                // No stage changes an emitted record (the premise of object reuse), so sharing its array is safe.
                meta.lastOutput = r.output;
            }
            Deadlines.arm(meta, e, opts.idleTimeout(), timers);
        }
    }

    /**
     * Ends the running sequence (or the buffered steps waiting for a step 0): buffered steps become
     * dead letters, state is cleared, and a tombstone remembers where it ended so that later steps of
     * it are called late. {@code why} null: it ended normally; else why the buffered steps wait no more.
     */
    private void end(SequenceMeta meta, int lastStep, boolean byTimeout, String why, KeyState state, Timers timers,
            Emitter out) throws Exception {
        if (meta.buffered > 0) {
            List<Map.Entry<Integer, Event>> left = state.earlySteps();
            left.sort(Map.Entry.comparingByKey());
            int missing = meta.active ? meta.nextStep : 0;
            for (Map.Entry<Integer, Event> en : left) {
                dead(out, en.getValue(), why != null ? DeadLetterReason.MISSING_STEP : DeadLetterReason.LATE_STEP,
                        why != null ? "missing step " + missing + ": step " + en.getKey() + " waited for it until " + why
                        : "late: step " + en.getKey() + " arrived for a sequence that ended at step " + lastStep);
            }
            state.clearEarly();
            meta.buffered = 0;
        }
        if (meta.active) {
            counts.activeSequences--;
            meta.endedAt = lastStep;
            meta.endedByTimeout = byTimeout;
        }
        long lastTs = meta.maxTs;
        meta.forgetSequence();
        Deadlines.delete(meta, timers);
        Deadlines.forgetLater(meta, lastTs, opts.idleTimeout(), timers);
        if (meta.endedAt < 0 && meta.timer == SequenceMeta.NO_TIMER) {
            state.clear();
        } else {
            state.update(meta);
        }
    }

    /** No event came in time (or none will): end what is running, or forget an ended sequence. */
    private void deadline(SequenceMeta meta, String reason, KeyState state, Timers timers, Emitter out)
            throws Exception {
        String until = reason.equals(REASON_IDLE) ? "the idle timeout" : "the input ended";
        if (meta.active) {
            ServedModel m = models.get(meta.model);
            float[] last = null;
            if (meta.state != null && m != null) {
                // The output of the last applied step, computed again from h: the same floats it had.
                last = m.outputFromState ? m.kernel.outputOf(meta.state).clone() : meta.lastOutput;
            }
            if (meta.state == null || (m != null && last == null)) {
                counts.ttlExpiries++;
            } else if (m == null) {
                counts.retiredModelEnds++;
            } else {
                OutputRecord r = m.record(state.key(), meta.nextStep - 1, last, meta.state, opts.emitHidden());
                r.last = true;
                r.reason = reason;
                out.output(r);
                if (REASON_IDLE.equals(reason)) {
                    counts.idleTimeouts++;
                } else {
                    counts.endOfInputFinals++;
                }
            }
            end(meta, meta.nextStep - 1, true, until, state, timers, out);
        } else if (meta.buffered > 0) {
            end(meta, meta.endedAt, meta.endedByTimeout, until, state, timers, out);
        } else {
            state.clear();
        }
    }

    private void dead(Emitter out, Event e, DeadLetterReason kind, String why) {
        out.deadLetter(new DeadLetter(e.rawText() != null ? e.rawText() : RecordJson.event(e), why, e.key));
        counts.deadLetters++;
        counts.deadLettersByReason[kind.ordinal()]++;
    }
}
