package io.rnnstream.job.step;

import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import java.util.List;

/** Reads a class and a confidence off the head's output: what "label" and "decision" mean. */
public final class Head {
    private final int units;
    private final Activation activation;
    private final List<String> classNames;
    /** The confidence at which a sequence decides; NaN when the stream makes no decisions. */
    private final double decisionThreshold;

    public Head(Model model) {
        this(model, StreamOptions.defaults());
    }

    /** @throws ModelException when {@code --decide-at-precision} cannot be met by this model's table */
    public Head(Model model, StreamOptions opts) {
        this.units = model.outputSize();
        this.activation = model.headActivation();
        List<String> names = model.info().classNames();
        int expected = units == 1 ? 2 : units;
        this.classNames = names.size() == expected ? names : List.of();
        this.decisionThreshold = decisionThreshold(model, opts);
    }

    /** The threshold of {@code --decide-at-confidence}, or the one {@code --decide-at-precision} picks; NaN: off. */
    public static double decisionThreshold(Model model, StreamOptions opts) {
        if (!Double.isNaN(opts.decideAtConfidence())) {
            return opts.decideAtConfidence();
        }
        if (!Double.isNaN(opts.decideAtPrecision())) {
            return model.info().training().thresholdForPrecision(opts.decideAtPrecision()).threshold();
        }
        return Double.NaN;
    }

    public double decisionThreshold() {
        return decisionThreshold;
    }

    /** True when this output's top probability reaches the decision threshold (never when decisions are off). */
    public boolean decides(float[] out) {
        return confidence(out) >= decisionThreshold;
    }

    /** True when the head gives probabilities (softmax, or sigmoid units). */
    public boolean givesProbabilities() {
        return activation == Activation.SOFTMAX || activation == Activation.SIGMOID;
    }

    /** True when the head classifies: several units (argmax), or one sigmoid unit (at 0.5). */
    public boolean classifies() {
        return units > 1 || activation == Activation.SIGMOID;
    }

    /** Argmax (the first on ties, as numpy), 1/0 for one sigmoid unit, else {@link OutputRecord#NO_LABEL}. */
    public int labelIndex(float[] out) {
        if (units == 1) {
            return activation == Activation.SIGMOID ? (out[0] >= 0.5f ? 1 : 0) : OutputRecord.NO_LABEL;
        }
        // The running maximum in a register and a select instead of a branch: which class leads changes
        // from event to event, so a branch here mispredicts about once per call.
        int best = 0;
        float max = out[0];
        for (int i = 1; i < out.length; i++) {
            float v = out[i];
            boolean more = v > max;
            best = more ? i : best;
            max = more ? v : max;
        }
        return best;
    }

    public String labelName(int index) {
        return index >= 0 && !classNames.isEmpty() ? classNames.get(index) : null;
    }

    /** The top class's probability. */
    public float confidence(float[] out) {
        if (units == 1) {
            return Math.max(out[0], 1f - out[0]);
        }
        float m = out[0];
        for (int i = 1; i < out.length; i++) {
            m = Math.max(m, out[i]);
        }
        return m;
    }

    /**
     * A warning for decisions on a model whose per-step outputs may never have been trained (a Keras
     * model with a last-step head, or a file that does not say), else null. Early outputs of such a
     * model are confident and mostly wrong, so a decision flag on them misleads.
     */
    public static String decisionWarning(Model model, StreamOptions opts) {
        if (!opts.decides() || model.info().training().perStepTrained()) {
            return null;
        }
        String how = io.rnnstream.model.TrainingInfo.LAST_STEP.equals(model.info().training().objective())
                ? "was trained on its last step only"
                : "does not say it was trained at every step (" + (model.info().source().isEmpty() ? "an imported model"
                        : model.info().source()) + ")";
        return "warning: model " + model.info().name() + " " + how + ", so its outputs before the last step were"
                + " probably never trained and a decision flag on them is often wrong; retrain with 'rnnstream train"
                + " --loss every-step --validation-split 0.1' (or train the Keras model with the loss at every"
                + " step: return_sequences=True into the head), and use --decide-at-precision";
    }

    /** Fails with what to do when the options ask for something this model cannot give. */
    public static void check(Model model, StreamOptions opts) {
        String why = model.whyNotCausal();
        if (why != null) {
            throw new ModelException("this model cannot run on a stream, one event at a time: " + why
                    + ". Use `predict` on whole sequences instead.");
        }
        if (!Double.isNaN(opts.decideAtConfidence()) && !Double.isNaN(opts.decideAtPrecision())) {
            throw new ModelException("--decide-at-confidence and --decide-at-precision both set the decision"
                    + " threshold: give one of them");
        }
        Head head = new Head(model, opts);
        if (opts.decides() && !head.givesProbabilities()) {
            throw new ModelException((Double.isNaN(opts.decideAtPrecision()) ? "--decide-at-confidence"
                    : "--decide-at-precision") + " needs a head that gives probabilities (softmax or sigmoid), but"
                    + " this model's head is " + model.headActivation() + "; drop the option");
        }
        if (opts.emitHidden() && model.topRecurrentIndex() < 0) {
            throw new ModelException("--emit-hidden needs a recurrent layer, and this model has none; drop the"
                    + " option");
        }
    }
}
