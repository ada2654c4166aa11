package io.rnnstream.connectors;

import java.util.Arrays;
import java.util.Objects;

/**
 * The model's answer for one applied event (or the one extra record an idle timeout emits). A Flink
 * POJO, like {@link Event}; {@link RecordJson#output} writes it as the output JSON line.
 */
public class OutputRecord {
    /** {@link #labelIndex} for heads that do not classify (e.g. a single linear unit). */
    public static final int NO_LABEL = -1;

    public String key;
    public int step;
    /** The head's K floats at this step. */
    public float[] output;
    /** Argmax of a softmax head, 1/0 for a single sigmoid unit at 0.5, else {@link #NO_LABEL}. */
    public int labelIndex = NO_LABEL;
    /** The class name of {@link #labelIndex} when the model names its classes, else null. */
    public String labelName;
    /** True on the sequence's last step (named so because {@code final} is a Java keyword). */
    public boolean last;
    /** True on the step where the early decision (top probability ≥ the threshold) is made. */
    public boolean decision;
    /** The model id, name@version-sha. */
    public String model;
    /** The top recurrent layer's h, when hidden states are emitted; else null. */
    public float[] hidden;
    /** Why a record that no event caused was emitted ("idle-timeout", "end-of-input"), else null. */
    public String reason;

    public OutputRecord() {}

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputRecord r && Objects.equals(key, r.key) && step == r.step
                && Arrays.equals(output, r.output) && labelIndex == r.labelIndex
                && Objects.equals(labelName, r.labelName) && last == r.last && decision == r.decision
                && Objects.equals(model, r.model) && Arrays.equals(hidden, r.hidden)
                && Objects.equals(reason, r.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, step, labelIndex, last, decision, reason) * 31 + Arrays.hashCode(output);
    }

    @Override
    public String toString() {
        return RecordJson.output(this);
    }
}
