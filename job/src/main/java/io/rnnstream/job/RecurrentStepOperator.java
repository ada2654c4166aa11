package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.OutputRecord;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The step stage: {@link RecurrentStepFunction} in a keyed operator that also hears the end of a
 * bounded input. Processing-time timers never fire after the input ends, so without this, steps still
 * buffered (and sequences never closed) would vanish without a record; here each gets its dead letter
 * or its {@code "end-of-input"} final record.
 */
public class RecurrentStepOperator extends KeyedProcessOperator<String, io.rnnstream.connectors.Event, OutputRecord>
        implements BoundedOneInput {
    private static final long serialVersionUID = 1L;

    public RecurrentStepOperator(RecurrentStepFunction function) {
        super(function);
    }

    @Override
    public void endInput() throws Exception {
        RecurrentStepFunction f = (RecurrentStepFunction) getUserFunction();
        List<String> keys;
        // Collect first: the handler clears state, which must not happen under a live key iterator.
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(RecurrentStepFunction.STATE_META,
                VoidNamespace.INSTANCE)) {
            keys = s.collect(Collectors.toList());
        }
        keys.sort(null);
        RecurrentStepFunction.Emitter emit = new RecurrentStepFunction.Emitter() {
            @Override
            public void output(OutputRecord r) {
                output.collect(new StreamRecord<>(r));
            }

            @Override
            public void deadLetter(DeadLetter d) {
                output.collect(RecurrentStepFunction.DEAD_LETTERS, new StreamRecord<>(d));
            }
        };
        for (String k : keys) {
            setCurrentKey(k);
            f.endOfInput(k, emit);
        }
    }
}
