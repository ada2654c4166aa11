package io.rnnstream.job;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** Flink's operator test harness brought up the way every stage's harness test needs it. */
public final class TestHarnesses {
    private TestHarnesses() {}

    /**
     * Sets the backend (null: the harness's heap default), restores {@code restore} when given, and opens.
     */
    public static <H extends AbstractStreamOperatorTestHarness<?>> H open(H h, StateBackend backend,
            OperatorSubtaskState restore) throws Exception {
        if (backend != null) {
            h.setStateBackend(backend);
        }
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** What the operator sent to {@code tag}, in order (empty when nothing was). */
    public static <T> List<T> sideOutput(AbstractStreamOperatorTestHarness<?> h, OutputTag<T> tag) {
        var q = h.getSideOutput(tag);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }
}
