package io.rnnstream.trainer;

import io.rnnstream.model.Model;
import java.util.List;

/**
 * What training produced.
 *
 * @param model the trained model: Normalization → recurrent layers → Dense(softmax)
 * @param history one entry per epoch run
 * @param bestEpoch the epoch (1-based) whose weights the model holds
 * @param stoppedEarly true when early stopping ended training before the last epoch
 * @param calibration what calibration measured on the validation split, or null without one
 */
public record TrainResult(Model model, List<EpochStats> history, int bestEpoch, boolean stoppedEarly,
        int trainSize, int validationSize, Trainer.CalibrationResult calibration) {
    public double meanSecondsPerEpoch() {
        return history.stream().mapToDouble(EpochStats::seconds).average().orElse(Double.NaN);
    }
}
