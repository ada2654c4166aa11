package io.rnnstream.job.swap;

import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.step.Head;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.layers.Recurrent;
import java.util.Arrays;

/** One model ready to step on one subtask: its own kernel (which owns scratch buffers), head and ids. */
public final class ServedModel {
    /** Enough steps for C2 to compile the kernel (about 8,000 here), a few ms once it has. */
    static final int KERNEL_WARM_UP_STEPS = 12_000;

    public final String id;
    public final Model model;
    public final StepKernel kernel;
    public final Head head;
    /** Where the top recurrent layer's h sits in the state (what {@code --emit-hidden} copies). */
    public final int hiddenOffset;
    public final int hiddenSize;
    /** The recurrent layers' types and state sizes: what switch-carry needs equal. */
    public final String layout;
    /** The last output can be computed again from the state (the model has a recurrent layer). */
    public final boolean outputFromState;

    public ServedModel(String id, Model model, StreamOptions opts) {
        this.id = id;
        this.model = model;
        this.kernel = new StepKernel(model);
        // Compile the kernel before the first event rather than on the first events.
        this.kernel.warmUp(KERNEL_WARM_UP_STEPS);
        this.head = new Head(model, opts);
        int top = model.topRecurrentIndex();
        if (top >= 0) {
            Recurrent r = (Recurrent) model.layers().get(top);
            hiddenOffset = model.stateOffset(top) + r.hiddenOffset();
            hiddenSize = r.units();
        } else {
            hiddenOffset = 0;
            hiddenSize = 0;
        }
        this.layout = ServedModels.layout(model);
        this.outputFromState = top >= 0;
    }

    /** The record of one step of {@code key}'s sequence: output {@code y}, and h too with {@code emitHidden}. */
    public OutputRecord record(String key, int step, float[] y, float[] state, boolean emitHidden) {
        OutputRecord r = new OutputRecord();
        r.key = key;
        r.step = step;
        r.output = y;
        r.labelIndex = head.labelIndex(y);
        r.labelName = head.labelName(r.labelIndex);
        r.model = id;
        if (emitHidden) {
            r.hidden = Arrays.copyOfRange(state, hiddenOffset, hiddenOffset + hiddenSize);
        }
        return r;
    }
}
