package io.rnnstream.job;

/**
 * One accepted model update in the history that decides which model a sequence starts on. A Flink
 * POJO kept in broadcast state (part of the checkpoint).
 */
public class ModelAssignment {
    /** Arrival order: the n-th accepted update (0: the job's own model). */
    public long seq;
    /** Sequences whose first event is at or after this ts start on it ({@code Long.MIN_VALUE}: any). */
    public long effectiveTs = Long.MIN_VALUE;
    /** The model's id; null for the job's own model (the one its ModelProvider gives). */
    public String modelId;
    /** The seq of the later update that made this one unreachable for new sequences, or -1. */
    public long supersededBy = -1;

    public ModelAssignment() {}

    public ModelAssignment(long seq, long effectiveTs, String modelId) {
        this.seq = seq;
        this.effectiveTs = effectiveTs;
        this.modelId = modelId;
    }
}
