package io.rnnstream.job;

import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import java.util.List;

/** Reads a class and a confidence off the head's output: what "label" and "decision" mean. */
public final class Head {
    private final int units;
    private final Activation activation;
    private final List<String> classNames;

    public Head(Model model) {
        this.units = model.outputSize();
        this.activation = model.headActivation();
        List<String> names = model.info().classNames();
        int expected = units == 1 ? 2 : units;
        this.classNames = names.size() == expected ? names : List.of();
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
        int best = 0;
        for (int i = 1; i < out.length; i++) {
            if (out[i] > out[best]) {
                best = i;
            }
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

    /** Fails with what to do when the options ask for something this model cannot give. */
    public static void check(Model model, StreamOptions opts) {
        String why = model.whyNotCausal();
        if (why != null) {
            throw new ModelException("this model cannot run on a stream, one event at a time: " + why
                    + ". Use `predict` on whole sequences instead.");
        }
        Head head = new Head(model);
        if (opts.decides() && !head.givesProbabilities()) {
            throw new ModelException("--decide-at-confidence needs a head that gives probabilities (softmax or"
                    + " sigmoid), but this model's head is " + model.headActivation() + "; drop the option");
        }
        if (opts.emitHidden() && model.topRecurrentIndex() < 0) {
            throw new ModelException("--emit-hidden needs a recurrent layer, and this model has none; drop the"
                    + " option");
        }
    }
}
