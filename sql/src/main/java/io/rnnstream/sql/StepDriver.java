package io.rnnstream.sql;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.Head;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.StepKernel;
import java.nio.file.Path;

/** PLACEHOLDER until the job's sequence core lands: steps in arrival order only. */
final class StepDriver {
    interface Emitter {
        void output(OutputRecord r);

        void deadLetter(DeadLetter d);
    }

    private final CallArgs args;
    private final Model model;
    private final StepKernel kernel;
    private final Head head;

    StepDriver(CallArgs args) {
        this.args = args;
        this.model = ModelLoader.load(Path.of(args.model()));
        this.kernel = new StepKernel(model);
        this.head = new Head(model, args.options());
    }

    CallArgs args() {
        return args;
    }

    void onEvent(Event e, PtfState state, PtfTimers timers, Emitter out) throws Exception {
        SequenceMeta m = state.meta();
        if (m == null) {
            m = new SequenceMeta();
            m.active = true;
            m.state = kernel.newState();
        }
        float[] y = kernel.step(m.state, e.features).clone();
        OutputRecord r = new OutputRecord();
        r.key = e.key;
        r.step = m.nextStep++;
        r.output = y;
        r.labelIndex = head.labelIndex(y);
        r.labelName = head.labelName(r.labelIndex);
        r.last = e.end;
        r.model = model.id();
        out.output(r);
        if (e.end) {
            state.clearMeta();
        } else {
            state.updateMeta(m);
        }
    }

    void onTimer(long at, PtfState state, PtfTimers timers, Emitter out) {}
}
