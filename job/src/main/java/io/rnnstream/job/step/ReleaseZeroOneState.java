package io.rnnstream.job.step;

import io.rnnstream.job.SequenceMeta;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

/**
 * Where release 0.1.0 kept a key's recurrent state and last output: two values apart from the
 * bookkeeping. Still registered with their 0.1.0 descriptors (serializer and TTL) so that its savepoints
 * restore; a restored key's state moves into {@link SequenceMeta} the first time the key is read, once
 * (new sequences never get here, so it costs the hot path one null check).
 */
final class ReleaseZeroOneState {
    static final String MODEL_STATE = "model-state";
    static final String LAST_OUTPUT = "last-output";

    private final ValueState<float[]> modelState;
    private final ValueState<float[]> lastOutput;

    ReleaseZeroOneState(StreamingRuntimeContext ctx, StateTtlConfig ttl) {
        ValueStateDescriptor<float[]> modelDesc = new ValueStateDescriptor<>(MODEL_STATE,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        ValueStateDescriptor<float[]> lastDesc = new ValueStateDescriptor<>(LAST_OUTPUT,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        if (ttl != null) {
            modelDesc.enableTimeToLive(ttl);
            lastDesc.enableTimeToLive(ttl);
        }
        modelState = ctx.getState(modelDesc);
        lastOutput = ctx.getState(lastDesc);
    }

    /**
     * Moves the current key's 0.1.0 values into {@code meta} (a running sequence without state) and
     * clears them. False when there was nothing to move: the TTL removed it (the core then says so).
     */
    boolean moveInto(SequenceMeta meta) throws Exception {
        float[] h = modelState.value();
        float[] last = lastOutput.value();
        if (h == null && last == null) {
            return false;
        }
        meta.state = h;
        meta.lastOutput = last;
        modelState.clear();
        lastOutput.clear();
        return true;
    }
}
