package io.rnnstream.job.step;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.OutputRecord;

/** Where the {@link SequenceCore}'s records go: the operator's output and its dead-letter side output. */
public interface Emitter {
    void output(OutputRecord r);

    void deadLetter(DeadLetter d);
}
