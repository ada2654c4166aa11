package io.rnnstream.trainer;

/**
 * One epoch's numbers. Training loss and accuracy are the running means over the epoch's
 * mini-batches (as Keras reports them); validation ones are NaN without a validation split.
 */
public record EpochStats(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
        double seconds, double examplesPerSecond) {
    public boolean hasValidation() {
        return !Double.isNaN(valLoss);
    }
}
