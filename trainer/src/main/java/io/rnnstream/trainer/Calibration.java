package io.rnnstream.trainer;

/**
 * Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017): one scalar
 * T divides the head's logits, {@code softmax(z / T)}, fitted by minimising the negative
 * log-likelihood on validation data. It moves no argmax, so accuracy is unchanged, and for a
 * Dense softmax head it folds exactly into the weights ({@code W/T, b/T}): the stored model is
 * calibrated, and predict, the stream and a Keras export all give the calibrated numbers.
 */
public final class Calibration {
    /** The search range of 1/T: from 20× softer to 20× sharper than trained. */
    private static final double MIN_INVERSE = 0.05;
    private static final double MAX_INVERSE = 20;

    private Calibration() {}

    /**
     * The temperature minimising the mean NLL of {@code labels} under {@code softmax(logits / T)}.
     * The NLL is convex in 1/T, so a golden-section search over 1/T finds its minimum.
     */
    public static double fitTemperature(double[][] logits, int[] labels) {
        if (logits.length == 0) {
            return 1;
        }
        double phi = (Math.sqrt(5) - 1) / 2;
        double a = MIN_INVERSE;
        double b = MAX_INVERSE;
        double c = b - phi * (b - a);
        double d = a + phi * (b - a);
        double fc = nll(logits, labels, c);
        double fd = nll(logits, labels, d);
        for (int i = 0; i < 80 && b - a > 1e-6; i++) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - phi * (b - a);
                fc = nll(logits, labels, c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + phi * (b - a);
                fd = nll(logits, labels, d);
            }
        }
        return 1 / ((a + b) / 2);
    }

    /** Mean negative log-likelihood at inverse temperature {@code beta}. */
    static double nll(double[][] logits, int[] labels, double beta) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double[] z = logits[i];
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, beta * v);
            }
            double s = 0;
            for (double v : z) {
                s += Math.exp(beta * v - max);
            }
            sum += max + Math.log(s) - beta * z[labels[i]];
        }
        return sum / logits.length;
    }
}
