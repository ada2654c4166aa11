package io.rnnstream.sql;

import io.rnnstream.job.order.TsOrder;
import io.rnnstream.job.step.Head;
import io.rnnstream.job.step.SequenceCore;
import io.rnnstream.job.swap.ServedModels;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.nio.file.Path;

/**
 * The job's {@link SequenceCore} and its order stage's {@link TsOrder} for one RNN_CLASSIFY call on one
 * subtask: the call's model (loaded and checked here, where the function runs) and options. The core
 * keeps the kernel's scratch buffers, so it is one per subtask, as in the DataStream job; the order
 * rules keep only counts.
 */
final class StepDriver {
    private final CallArgs args;
    private final SequenceCore core;
    private final TsOrder order;

    StepDriver(CallArgs args) {
        this.args = args;
        Model model = ModelLoader.load(Path.of(args.model()));
        Head.check(model, args.options());
        this.core = new SequenceCore(new ServedModels(model, model.id(), args.options()), args.options());
        this.order = new TsOrder(args.options());
    }

    CallArgs args() {
        return args;
    }

    SequenceCore core() {
        return core;
    }

    TsOrder order() {
        return order;
    }
}
