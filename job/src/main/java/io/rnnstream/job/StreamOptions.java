package io.rnnstream.job;

import io.rnnstream.job.swap.SwapPolicy;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the stream ends sequences, orders steps and what it emits. Mutable builder-style settings,
 * copied into the operator when the job is built.
 */
public final class StreamOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The default bound on early (out-of-order) steps kept per key. */
    public static final int DEFAULT_MAX_BUFFERED_STEPS = 64;

    private int sequenceLength;
    private Duration idleTimeout;
    private double decideAtConfidence = Double.NaN;
    private double decideAtPrecision = Double.NaN;
    private boolean emitHidden;
    private int maxBufferedSteps = DEFAULT_MAX_BUFFERED_STEPS;
    private Duration stateTtl;
    private Duration maxOutOfOrderness = Duration.ZERO;
    private SwapPolicy swapPolicy = SwapPolicy.NEW_SEQUENCES;
    private String modelDirectory;
    public static final int DEFAULT_STEP_BUNDLE = 16;
    public static final int MAX_STEP_BUNDLE = 256;
    private int stepBundle = DEFAULT_STEP_BUNDLE;
    private Duration stepBundleWait = Duration.ofMillis(1);

    public static StreamOptions defaults() {
        return new StreamOptions();
    }

    /** T: a sequence ends after step T−1 (0: only {@code end} or the idle timeout end it). */
    public StreamOptions sequenceLength(int t) {
        if (t < 0) {
            throw new IllegalArgumentException("--sequence-length must be positive, not " + t);
        }
        this.sequenceLength = t;
        return this;
    }

    /** A sequence with no event for this long ends with an idle-timeout record (null: never). */
    public StreamOptions idleTimeout(Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("--idle-timeout must be positive, not " + d);
        }
        this.idleTimeout = d;
        return this;
    }

    /** The first step whose top probability reaches p carries "decision": true (NaN: off). */
    public StreamOptions decideAtConfidence(double p) {
        if (!Double.isNaN(p) && (p <= 0 || p > 1)) {
            throw new IllegalArgumentException("--decide-at-confidence must be in (0, 1], not " + p);
        }
        this.decideAtConfidence = p;
        return this;
    }

    /**
     * The decision threshold is the one the model file's validation table says reached precision q
     * (NaN: off). Each served model gets its own threshold from its own table; a model without a
     * table, or whose table never reached q, is refused with what to do.
     */
    public StreamOptions decideAtPrecision(double q) {
        if (!Double.isNaN(q) && (q <= 0 || q > 1)) {
            throw new IllegalArgumentException("--decide-at-precision must be in (0, 1], not " + q);
        }
        this.decideAtPrecision = q;
        return this;
    }

    public StreamOptions emitHidden(boolean b) {
        this.emitHidden = b;
        return this;
    }

    /**
     * At most this many events are held per key: early steps while a gap waits to fill (step stage),
     * and events with only {@code ts} while they wait for the watermark (order stage).
     */
    public StreamOptions maxBufferedSteps(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("--max-buffered-steps must be 0 or more, not " + n);
        }
        this.maxBufferedSteps = n;
        return this;
    }

    /**
     * How long a key's state lives after its last write (processing time). Null: twice the idle
     * timeout plus a minute when there is an idle timeout, else forever. {@link Duration#ZERO}: off.
     */
    public StreamOptions stateTtl(Duration d) {
        this.stateTtl = d;
        return this;
    }

    /**
     * The watermark's lag behind the largest {@code ts} seen (bounded out-of-orderness): how long events
     * with {@code ts} but no {@code step} wait to be applied in {@code ts} order; later ones are late.
     */
    public StreamOptions maxOutOfOrderness(Duration d) {
        this.maxOutOfOrderness = d == null ? Duration.ZERO : d;
        return this;
    }

    /** What a model update does to running sequences (see docs/MODEL_LIFECYCLE.md). */
    public StreamOptions swapPolicy(SwapPolicy p) {
        this.swapPolicy = p == null ? SwapPolicy.NEW_SEQUENCES : p;
        return this;
    }

    /**
     * Model updates by reference ({@code {"path": …}}) may name files inside this directory only
     * (null: references are refused). See {@link ModelDirectory}.
     */
    public StreamOptions modelDirectory(String dir) {
        this.modelDirectory = dir == null || dir.isBlank() ? null : dir;
        return this;
    }

    public String modelDirectory() {
        return modelDirectory;
    }

    /**
     * Events of different keys stepped together, up to {@code n} per product ({@link
     * io.rnnstream.model.StepKernel#stepN}: the same outputs, fewer loads of the weights); 1 steps each
     * event alone as it arrives. A bundle is flushed when full, after {@link #stepBundleWait} at most,
     * and before every watermark, timer, model update, checkpoint barrier and the end of the input.
     */
    public StreamOptions stepBundle(int n) {
        if (n < 1 || n > MAX_STEP_BUNDLE) {
            throw new IllegalArgumentException("--step-bundle must be 1 (off) to " + MAX_STEP_BUNDLE + ", not " + n);
        }
        this.stepBundle = n;
        return this;
    }

    /** The longest an event waits in a {@link #stepBundle} before it is stepped (at least 1 ms). */
    public StreamOptions stepBundleWait(Duration d) {
        if (d == null || d.toMillis() < 1) {
            throw new IllegalArgumentException("--step-bundle-wait must be 1ms or more, not " + d);
        }
        this.stepBundleWait = d;
        return this;
    }

    public int stepBundle() {
        return stepBundle;
    }

    public Duration stepBundleWait() {
        return stepBundleWait;
    }

    public SwapPolicy swapPolicy() {
        return swapPolicy;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public double decideAtConfidence() {
        return decideAtConfidence;
    }

    public double decideAtPrecision() {
        return decideAtPrecision;
    }

    public boolean decides() {
        return !Double.isNaN(decideAtConfidence) || !Double.isNaN(decideAtPrecision);
    }

    public boolean emitHidden() {
        return emitHidden;
    }

    public int maxBufferedSteps() {
        return maxBufferedSteps;
    }

    public Duration maxOutOfOrderness() {
        return maxOutOfOrderness;
    }

    /** The TTL actually applied, or null for none (see {@link #stateTtl(Duration)}). */
    public Duration effectiveStateTtl() {
        if (stateTtl != null) {
            return stateTtl.isZero() ? null : stateTtl;
        }
        // Longer than the idle timeout, so TTL only catches keys whose timers never fired
        // (e.g. an event-time timer waiting on a watermark that stopped).
        return idleTimeout == null ? null : idleTimeout.multipliedBy(2).plusMinutes(1);
    }
}
