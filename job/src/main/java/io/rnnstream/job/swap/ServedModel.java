package io.rnnstream.job.swap;

import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.step.Head;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.layers.Recurrent;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Bundles of 1–16 keys (or up to the stream's bundle size) stepped by the background warm-up. */
    static final int BUNDLE_WARM_UP_CALLS = 3_000;

    /** Models (by their layers) whose bundled path has been warmed in this JVM: compiled code is JVM-wide. */
    private static final Set<String> BUNDLES_WARMED = ConcurrentHashMap.newKeySet();

    /**
     * Warms the bundled path ({@link StepKernel#stepN}) on a thread of its own with a kernel of its own,
     * while the task starts. A stream at a few thousand events per second calls that path too rarely
     * for C2: a 14 s demo ran it on C1 from start to end. Warming it before the first event instead
     * (in this constructor, on the task's thread) cost the engine's steady state 0.72×, because other
     * methods were then compiled for what the delayed start fed them; in the background it costs
     * nothing there and gave 1.30× at a million keys (docs/BENCHMARKS.md, session 13).
     */
    private static void warmBundlesInBackground(Model model, int bundle) {
        if (!BUNDLES_WARMED.add(model.inputSize() + " " + model.describe())) {
            return;
        }
        StepKernel own = new StepKernel(model);
        int largest = Math.min(bundle, 16);
        Thread t = new Thread(() -> own.warmUpBundles(BUNDLE_WARM_UP_CALLS, largest), "rnnstream-bundle-warm-up");
        t.setDaemon(true);
        t.start();
    }

    public ServedModel(String id, Model model, StreamOptions opts) {
        this.id = id;
        this.model = model;
        this.kernel = new StepKernel(model);
        // Compile the kernel before the first event rather than on the first events.
        this.kernel.warmUp(KERNEL_WARM_UP_STEPS);
        if (opts.stepBundle() > 1) {
            warmBundlesInBackground(model, opts.stepBundle());
        }
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
