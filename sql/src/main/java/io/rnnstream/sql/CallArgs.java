package io.rnnstream.sql;

import io.rnnstream.job.StreamOptions;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.util.TimeUtils;

/**
 * One RNN_CLASSIFY call's scalar arguments. They are SQL literals, so every row of a call carries the
 * same ones; {@link #saveTo} keeps them in the key's state for {@code onTimer}, which gets none.
 */
final class CallArgs {
    private static final String MODEL = "model";
    private static final String SEQUENCE_LENGTH = "sequence_length";
    private static final String IDLE_TIMEOUT_MS = "idle_timeout_ms";
    private static final String DECIDE_AT_CONFIDENCE = "decide_at_confidence";
    private static final String MAX_BUFFERED_STEPS = "max_buffered_steps";

    private final String model;
    private final Integer sequenceLength;
    private final Duration idleTimeout;
    private final Double decideAtConfidence;
    private final Integer maxBufferedSteps;

    private CallArgs(Builder b) {
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(RnnClassify.NAME + ": model => '…' must name a model file");
        }
        this.model = b.model;
        this.sequenceLength = b.sequenceLength;
        this.idleTimeout = b.idleTimeout;
        this.decideAtConfidence = b.decideAtConfidence;
        this.maxBufferedSteps = b.maxBufferedSteps;
    }

    /**
     * A duration argument in Flink's syntax ('30 s', '5 min', '500 ms'; no unit: milliseconds). A string,
     * not an INTERVAL: Flink 2.2.1's planner fails on an INTERVAL literal passed to a PTF's Duration
     * parameter ("Unsupported type when convertTypeToSpec: INTERVAL_DAY_SECOND" in the implicit cast).
     */
    static Duration duration(String argument, String value) {
        if (value == null) {
            return null;
        }
        try {
            return TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RnnClassify.NAME + ": " + argument + " => '" + value
                    + "' is no duration: write e.g. '30 s', '5 min' or '500 ms'", e);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private String model;
        private Integer sequenceLength;
        private Duration idleTimeout;
        private Double decideAtConfidence;
        private Integer maxBufferedSteps;

        Builder model(String path) {
            this.model = path;
            return this;
        }

        Builder sequenceLength(Integer t) {
            this.sequenceLength = t;
            return this;
        }

        Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        Builder decideAtConfidence(Double p) {
            this.decideAtConfidence = p;
            return this;
        }

        Builder maxBufferedSteps(Integer n) {
            this.maxBufferedSteps = n;
            return this;
        }

        CallArgs build() {
            return new CallArgs(this);
        }
    }

    String model() {
        return model;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    /** The job's options for these arguments (their checks and messages included). */
    StreamOptions options() {
        StreamOptions o = StreamOptions.defaults();
        if (sequenceLength != null) {
            o.sequenceLength(sequenceLength);
        }
        o.idleTimeout(idleTimeout);
        if (decideAtConfidence != null) {
            o.decideAtConfidence(decideAtConfidence);
        }
        if (maxBufferedSteps != null) {
            o.maxBufferedSteps(maxBufferedSteps);
        }
        // Flink's own state TTL applies instead (table.exec.state.ttl): the core keeps none of its own.
        o.stateTtl(Duration.ZERO);
        return o;
    }

    /** Writes the arguments (a map view: rows that do not call this neither read nor write it). */
    void saveTo(MapView<String, String> call) throws Exception {
        call.put(MODEL, model);
        put(call, SEQUENCE_LENGTH, sequenceLength);
        put(call, IDLE_TIMEOUT_MS, idleTimeout == null ? null : idleTimeout.toMillis());
        put(call, DECIDE_AT_CONFIDENCE, decideAtConfidence);
        put(call, MAX_BUFFERED_STEPS, maxBufferedSteps);
    }

    private static void put(MapView<String, String> call, String name, Object v) throws Exception {
        if (v != null) {
            call.put(name, v.toString());
        }
    }

    /** The saved arguments, or null when there are none (never saved, or expired). */
    static CallArgs loadFrom(MapView<String, String> call) throws Exception {
        if (call.get(MODEL) == null) {
            return null;
        }
        String idle = call.get(IDLE_TIMEOUT_MS);
        String len = call.get(SEQUENCE_LENGTH);
        String p = call.get(DECIDE_AT_CONFIDENCE);
        String max = call.get(MAX_BUFFERED_STEPS);
        return builder().model(call.get(MODEL)).sequenceLength(len == null ? null : Integer.valueOf(len))
                .idleTimeout(idle == null ? null : Duration.ofMillis(Long.parseLong(idle)))
                .decideAtConfidence(p == null ? null : Double.valueOf(p))
                .maxBufferedSteps(max == null ? null : Integer.valueOf(max)).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallArgs a && model.equals(a.model) && Objects.equals(sequenceLength, a.sequenceLength)
                && Objects.equals(idleTimeout, a.idleTimeout) && Objects.equals(decideAtConfidence, a.decideAtConfidence)
                && Objects.equals(maxBufferedSteps, a.maxBufferedSteps);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, sequenceLength, idleTimeout, decideAtConfidence, maxBufferedSteps);
    }
}
