package io.rnnstream.connectors;

import java.util.List;

/**
 * What kind of problem made an input a dead letter: a small fixed set, so that a metric can count dead
 * letters by kind (the {@code reason} label of {@code rnnstream_reason_deadLetters}) while the dead
 * letter itself keeps its one-line free text. A label is part of the metrics' contract (dashboards
 * and alerts select on it): never rename one.
 */
public enum DeadLetterReason {
    /** An empty line or record. */
    EMPTY("empty"),
    /** Over the parser's size limit (one event is one timestep). */
    TOO_LARGE("too_large"),
    /** Not an event at all: not JSON, not a JSON object, trailing bytes, not the Avro event schema. */
    MALFORMED("malformed"),
    /** No key, an empty key, or a key that is not a string. */
    MISSING_KEY("missing_key"),
    /** A field of the wrong type or range: step, ts, end, features (or a feature that is not a number). */
    BAD_FIELD("bad_field"),
    /** Not the model's D features. */
    WRONG_FEATURE_COUNT("wrong_feature_count"),
    /** A feature that is NaN or infinite, or beyond float32's range. */
    NON_FINITE("non_finite"),
    /** Ordering by ts: the event's ts is behind the watermark. */
    LATE_EVENT("late_event"),
    /** Ordering by ts: the key already holds --max-buffered-steps events waiting for the watermark. */
    BUFFER_OVERFLOW("buffer_overflow"),
    /** A step at or past --sequence-length. */
    BEYOND_SEQUENCE_LENGTH("beyond_sequence_length"),
    /** A step already applied or already buffered. */
    DUPLICATE_STEP("duplicate_step"),
    /** A step of a sequence that already ended. */
    LATE_STEP("late_step"),
    /** A step more than --max-buffered-steps ahead of the one the sequence waits for. */
    BEYOND_STEP_BUFFER("beyond_step_buffer"),
    /** A buffered step whose predecessor never came before the sequence ended. */
    MISSING_STEP("missing_step"),
    /** A step of a sequence whose model was retired by later model updates. */
    MODEL_RETIRED("model_retired"),
    /** A step of a sequence whose state the state TTL removed. */
    STATE_EXPIRED("state_expired");

    /** What the parse stage can produce (JSON or Avro). */
    public static final List<DeadLetterReason> PARSE = List.of(EMPTY, TOO_LARGE, MALFORMED, MISSING_KEY, BAD_FIELD,
            WRONG_FEATURE_COUNT, NON_FINITE);
    /** What the ordering stage can produce. */
    public static final List<DeadLetterReason> ORDER = List.of(LATE_EVENT, BUFFER_OVERFLOW);
    /** What the step stage can produce: its own rules, and the parser's checks on events built in code. */
    public static final List<DeadLetterReason> STEP = List.of(BAD_FIELD, WRONG_FEATURE_COUNT, NON_FINITE,
            BEYOND_SEQUENCE_LENGTH, DUPLICATE_STEP, LATE_STEP, BEYOND_STEP_BUFFER, MISSING_STEP, MODEL_RETIRED,
            STATE_EXPIRED);

    private final String label;

    DeadLetterReason(String label) {
        this.label = label;
    }

    /** The metric label value: lower snake case, stable. */
    public String label() {
        return label;
    }

    /**
     * The kind of a refusal by the parser (JSON or Avro) or by {@link EventParser#whyNotSteppable}, from
     * its text. The parser's messages are many and built where the problem is found; reading the kind
     * back from their fixed openings keeps them as they are, and runs only for refused events, never on
     * the path of a good one. Anything unrecognised is {@link #MALFORMED}: the decoders' own errors.
     */
    public static DeadLetterReason ofParseError(String why) {
        if (why == null) {
            return MALFORMED;
        }
        if (why.startsWith("empty ")) {
            return EMPTY;
        }
        if (why.startsWith("event too large")) {
            return TOO_LARGE;
        }
        if (why.startsWith("missing \"key\"") || why.startsWith("\"key\"")) {
            return MISSING_KEY;
        }
        if (why.startsWith("wrong feature count")) {
            return WRONG_FEATURE_COUNT;
        }
        if (why.startsWith("feature ")) {
            return why.contains(" is not a number") ? BAD_FIELD : NON_FINITE;
        }
        if (why.startsWith("\"step\"") || why.startsWith("\"ts\"") || why.startsWith("\"end\"")
                || why.startsWith("\"features\"") || why.startsWith("missing \"features\"")) {
            return BAD_FIELD;
        }
        return MALFORMED;
    }
}
