package io.rnnstream.trainer.data;

import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Tensor;

/**
 * Per-feature standardisation fitted on the training split: mean and (population) variance over
 * every real timestep of every sequence, kept as a model-core {@link Normalization} layer so that
 * serving standardises exactly as training did. Applying it runs that layer's own arithmetic.
 */
public final class Standardizer {
    private Standardizer() {}

    /**
     * Fits the statistics. A feature that is constant in the training data gets variance 1 rather
     * than 0: Keras would divide by 1e-7 and turn any unseen value into ±1e7.
     */
    public static Normalization fit(SequenceDataset train) {
        int d = train.features();
        double[] sum = new double[d];
        double[] sumSq = new double[d];
        long n = 0;
        for (float[][] seq : train.x()) {
            for (float[] step : seq) {
                for (int k = 0; k < d; k++) {
                    sum[k] += step[k];
                }
                n++;
            }
        }
        float[] mean = new float[d];
        for (int k = 0; k < d; k++) {
            mean[k] = (float) (sum[k] / n);
        }
        for (float[][] seq : train.x()) {
            for (float[] step : seq) {
                for (int k = 0; k < d; k++) {
                    double dev = step[k] - (sum[k] / n);
                    sumSq[k] += dev * dev;
                }
            }
        }
        float[] var = new float[d];
        for (int k = 0; k < d; k++) {
            var[k] = (float) (sumSq[k] / n);
            if (!(var[k] > 0)) {
                var[k] = 1f;
            }
        }
        return new Normalization("normalization", Tensor.of(mean, d), Tensor.of(var, d));
    }

    /** A standardised copy of {@code data}, through {@code norm}'s own step. */
    public static SequenceDataset apply(Normalization norm, SequenceDataset data) {
        float[][][] out = new float[data.size()][][];
        for (int i = 0; i < out.length; i++) {
            float[][] seq = data.x()[i];
            out[i] = new float[seq.length][norm.outputSize()];
            for (int t = 0; t < seq.length; t++) {
                norm.step(seq[t], null, 0, false, out[i][t], null);
            }
        }
        return new SequenceDataset(data.name(), out, data.y(), data.classNames());
    }
}
