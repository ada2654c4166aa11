package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.OutputRecord;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.StateInitializationContext;
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

    private transient boolean restored;

    public RecurrentStepOperator(RecurrentStepFunction function) {
        super(function);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (!restored) {
            return;
        }
        // The activeSequences gauge counts what starts and ends here; the sequences that were
        // already running when the checkpoint was taken are counted once now (one pass over the
        // restored keys of this subtask's key groups).
        // Only reads under the iterator, so no list of every key is needed.
        RecurrentStepFunction f = (RecurrentStepFunction) getUserFunction();
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(RecurrentStepFunction.STATE_META,
                VoidNamespace.INSTANCE)) {
            for (Iterator<String> it = s.iterator(); it.hasNext(); ) {
                setCurrentKey(it.next());
                f.countRestored();
            }
        }
    }

    /** This subtask's keys that have a sequence-meta value (running, buffered or remembered as ended). */
    private List<String> keysInState() throws Exception {
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(RecurrentStepFunction.STATE_META,
                VoidNamespace.INSTANCE)) {
            return s.collect(Collectors.toList());
        }
    }

    @Override
    public void endInput() throws Exception {
        RecurrentStepFunction f = (RecurrentStepFunction) getUserFunction();
        // Collect first: the handler clears state, which must not happen under a live key iterator.
        List<String> keys = keysInState();
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
