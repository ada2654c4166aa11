package io.rnnstream.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a model's head was trained and what its per-step outputs are worth, as its trainer measured
 * it on held-out validation sequences. A Keras or other imported file says none of this:
 * {@link #UNKNOWN}.
 *
 * @param objective what the head's loss covered: {@code "every-step"}, {@code "last-step"}, or null
 *     when the file does not say
 * @param stepWeights how the every-step loss weighted step t of L (free text, e.g. {@code "t / (1+…+L)"})
 * @param temperature the softmax temperature fitted on validation and already folded into the
 *     head's weights (1: none); NaN when not calibrated
 * @param eceBefore expected calibration error (15 bins, pooled over every real step) before calibration
 * @param eceAfter the same after calibration
 * @param validationSequences how many sequences the numbers below were measured on (0: none)
 * @param decisions per confidence threshold, ascending: how first decisions fared on validation
 */
public record TrainingInfo(String objective, String stepWeights, double temperature, double eceBefore,
        double eceAfter, int validationSequences, List<DecisionPoint> decisions) {

    public static final TrainingInfo UNKNOWN = new TrainingInfo(null, null, Double.NaN, Double.NaN, Double.NaN, 0,
            List.of());

    public static final String EVERY_STEP = "every-step";
    public static final String LAST_STEP = "last-step";

    public TrainingInfo {
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
        for (int i = 1; i < decisions.size(); i++) {
            if (!(decisions.get(i).threshold() > decisions.get(i - 1).threshold())) {
                throw new ModelException("the decision table's thresholds must rise, but " + decisions.get(i)
                        .threshold() + " follows " + decisions.get(i - 1).threshold());
            }
        }
    }

    /**
     * What the stream's {@code decision} flag did on validation at one confidence threshold: the
     * first step of each sequence whose top probability reached it.
     *
     * @param threshold the confidence threshold p
     * @param precision share of decided sequences whose first decision was the true class (NaN: none decided)
     * @param decided share of sequences decided at all
     * @param meanDecisionStep mean 1-based step of the first decision, an undecided sequence counted
     *     at its last step
     * @param meanLength mean sequence length, the scale of {@code meanDecisionStep}
     */
    public record DecisionPoint(double threshold, double precision, double decided, double meanDecisionStep,
            double meanLength) {
        /** The row as the model file and the trainer's metrics.json write it (NaN as null: JSON has no NaN). */
        public Map<String, Object> asJson() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("threshold", threshold);
            r.put("precision", Double.isNaN(precision) ? null : precision);
            r.put("decided", decided);
            r.put("mean_decision_step", meanDecisionStep);
            r.put("mean_length", meanLength);
            return r;
        }
    }

    public boolean knowsObjective() {
        return objective != null;
    }

    /** True when the file says the head was trained at every step, so its early outputs mean something. */
    public boolean perStepTrained() {
        return EVERY_STEP.equals(objective);
    }

    public boolean calibrated() {
        return !Double.isNaN(temperature);
    }

    /**
     * The lowest threshold of the table from which on every threshold reached {@code precision} on
     * validation: monotone from there, so a noisy dip below it cannot be picked.
     *
     * @throws ModelException when the file has no table or no threshold reached it, saying what to do
     */
    public DecisionPoint thresholdForPrecision(double precision) {
        if (decisions.isEmpty()) {
            throw new ModelException("--decide-at-precision needs the decision table a model file carries when"
                    + " 'rnnstream train' measured it on a validation split; this model has none: use"
                    + " --decide-at-confidence, or retrain with --validation-split 0.1");
        }
        DecisionPoint pick = null;
        for (int i = decisions.size() - 1; i >= 0; i--) {
            DecisionPoint d = decisions.get(i);
            if (Double.isNaN(d.precision()) || d.precision() < precision) {
                break;
            }
            pick = d;
        }
        if (pick == null) {
            DecisionPoint best = decisions.get(decisions.size() - 1);
            throw new ModelException(String.format(Locale.ROOT, "no confidence threshold of this model reached"
                    + " precision %.3f on its validation sequences (at %.4f it was %.3f): ask for a lower"
                    + " --decide-at-precision, or use --decide-at-confidence", precision, best.threshold(),
                    best.precision()));
        }
        return pick;
    }
}
