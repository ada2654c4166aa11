package io.rnnstream.job.step;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.SequenceMeta;
import java.util.List;
import java.util.Map;

/**
 * One key's state as the {@link SequenceCore} sees it: the key's {@link SequenceMeta} (recurrent state
 * and bookkeeping in one value) and its buffer of early steps. Flink's keyed state stands behind it in
 * the job ({@link StepOperator}), a SQL function's state in a table function, a map in the core's tests.
 */
public interface KeyState {
    /** The key whose state this is (written on every record). */
    String key();

    /** The key's bookkeeping, or null when the key has none. */
    SequenceMeta meta() throws Exception;

    void update(SequenceMeta meta) throws Exception;

    /** Forgets the key's bookkeeping (its early steps are cleared apart). */
    void clear() throws Exception;

    Event early(int step) throws Exception;

    boolean hasEarly(int step) throws Exception;

    void putEarly(int step, Event e) throws Exception;

    void removeEarly(int step) throws Exception;

    /** Every buffered early step, in any order, in a list the caller may sort. */
    List<Map.Entry<Integer, Event>> earlySteps() throws Exception;

    void clearEarly() throws Exception;
}
