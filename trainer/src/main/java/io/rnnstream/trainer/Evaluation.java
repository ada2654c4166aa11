package io.rnnstream.trainer;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.TrainingInfo.DecisionPoint;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.nn.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's scores on labelled sequences, computed by the model core's {@link StepKernel} on the
 * raw (unstandardised) data, so they are the scores of {@code predict} and of the stream exactly:
 * the final class, the head at every step, the stream's early decisions and how honest the
 * per-step confidence is.
 *
 * @param predictions the predicted class of each sequence (the head at its last step)
 * @param confusion [true class][predicted class] counts
 * @param precision per class; NaN when the class was never predicted
 * @param recall per class; NaN when the class has no sequences
 * @param accuracyAtStep [t−1]: accuracy when each sequence is classified by the head's output at
 *     step t (its last step if it is shorter): what classifying early costs
 * @param decisions per threshold of {@link #THRESHOLDS}: what the stream's first decision did
 * @param ece expected calibration error pooled over every real step of every sequence
 * @param eceAtStep [t−1]: expected calibration error at step t, over the sequences that have one
 * @param reliability the pooled reliability diagram
 */
public record Evaluation(List<String> classNames, int size, double accuracy, double loss, int[] predictions,
        int[][] confusion, double[] precision, double[] recall, double[] accuracyAtStep,
        List<DecisionPoint> decisions, double ece, double[] eceAtStep, Reliability reliability) {

    /** The confidence thresholds the decision table is measured at: coarse where few decide, fine near 1. */
    public static final double[] THRESHOLDS = {0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96,
        0.97, 0.98, 0.99, 0.995, 0.999};

    /** Confidence bins of the calibration error, as is usual (Guo et al. 2017). */
    public static final int BINS = 15;

    /**
     * Per confidence bin [i/BINS, (i+1)/BINS): how many steps fell in it, their mean confidence and
     * their accuracy (NaN where empty).
     */
    public record Reliability(long[] count, double[] confidence, double[] accuracy) {}

    public static Evaluation of(Model model, SequenceDataset data) {
        StepKernel kernel = new StepKernel(model);
        int n = data.size();
        float[][][] outs = new float[n][][];
        for (int i = 0; i < n; i++) {
            outs[i] = Forward.sequences(kernel, data.x()[i]);
        }
        return of(outs, data.y(), model.outputSize(), data.maxLength(), data.classNames());
    }

    /** Scores of already computed per-step outputs {@code outs[i][t][k]} of sequences labelled {@code y}. */
    static Evaluation of(float[][][] outs, int[] y, int k, int tMax, List<String> classNames) {
        int n = outs.length;
        int[] pred = new int[n];
        int[][] confusion = new int[k][k];
        int[] hitsAt = new int[tMax];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            float[][] out = outs[i];
            int last = out.length - 1;
            for (int t = 0; t < tMax; t++) {
                if (Network.argmax(out[Math.min(t, last)]) == y[i]) {
                    hitsAt[t]++;
                }
            }
            pred[i] = Network.argmax(out[last]);
            confusion[y[i]][pred[i]]++;
            loss -= Math.log(Math.max(out[last][y[i]], 1e-30));
        }
        int correct = 0;
        double[] precision = new double[k];
        double[] recall = new double[k];
        for (int c = 0; c < k; c++) {
            correct += confusion[c][c];
            int predicted = 0;
            int actual = 0;
            for (int j = 0; j < k; j++) {
                predicted += confusion[j][c];
                actual += confusion[c][j];
            }
            precision[c] = predicted == 0 ? Double.NaN : (double) confusion[c][c] / predicted;
            recall[c] = actual == 0 ? Double.NaN : (double) confusion[c][c] / actual;
        }
        double[] accAt = new double[tMax];
        for (int t = 0; t < tMax; t++) {
            accAt[t] = (double) hitsAt[t] / n;
        }
        List<DecisionPoint> decisions = new ArrayList<>();
        for (double p : THRESHOLDS) {
            decisions.add(decisions(outs, y, p));
        }
        double[] eceAt = new double[tMax];
        for (int t = 0; t < tMax; t++) {
            eceAt[t] = ece(reliability(outs, y, t));
        }
        Reliability pooled = reliability(outs, y, -1);
        return new Evaluation(classNames, n, (double) correct / n, loss / n, pred, confusion, precision, recall,
                accAt, decisions, ece(pooled), eceAt, pooled);
    }

    /**
     * The stream's rule: a sequence's decision is its first step whose top probability reaches p
     * (compared as the job compares it, the float confidence widened to double).
     */
    static DecisionPoint decisions(float[][][] outs, int[] y, double p) {
        int decided = 0;
        int right = 0;
        double stepSum = 0;
        double lengthSum = 0;
        for (int i = 0; i < outs.length; i++) {
            float[][] out = outs[i];
            int at = out.length;
            for (int t = 0; t < out.length; t++) {
                if (out[t][Network.argmax(out[t])] >= p) {
                    at = t + 1;
                    decided++;
                    if (Network.argmax(out[t]) == y[i]) {
                        right++;
                    }
                    break;
                }
            }
            stepSum += at;
            lengthSum += out.length;
        }
        int n = outs.length;
        return new DecisionPoint(p, decided == 0 ? Double.NaN : (double) right / decided, (double) decided / n,
                stepSum / n, lengthSum / n);
    }

    /** The reliability bins of step {@code t} (0-based) over the sequences that reach it; t = −1: every real step. */
    static Reliability reliability(float[][][] outs, int[] y, int t) {
        long[] count = new long[BINS];
        double[] conf = new double[BINS];
        double[] hits = new double[BINS];
        for (int i = 0; i < outs.length; i++) {
            int from = t < 0 ? 0 : t;
            int to = t < 0 ? outs[i].length : Math.min(t + 1, outs[i].length);
            for (int s = from; s < to; s++) {
                float[] o = outs[i][s];
                int c = Network.argmax(o);
                int bin = Math.min(BINS - 1, (int) (o[c] * BINS));
                count[bin]++;
                conf[bin] += o[c];
                hits[bin] += c == y[i] ? 1 : 0;
            }
        }
        double[] acc = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            acc[b] = count[b] == 0 ? Double.NaN : hits[b] / count[b];
            conf[b] = count[b] == 0 ? Double.NaN : conf[b] / count[b];
        }
        return new Reliability(count, conf, acc);
    }

    /** Σ_bins (n_b / N)·|accuracy_b − confidence_b|; NaN when no step fell in any bin. */
    static double ece(Reliability r) {
        long total = 0;
        for (long c : r.count()) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double e = 0;
        for (int b = 0; b < BINS; b++) {
            if (r.count()[b] > 0) {
                e += (double) r.count()[b] / total * Math.abs(r.accuracy()[b] - r.confidence()[b]);
            }
        }
        return e;
    }

    /** The table's point at threshold p (one of {@link #THRESHOLDS}), or null. */
    public DecisionPoint decisionAt(double p) {
        for (DecisionPoint d : decisions) {
            if (Math.abs(d.threshold() - p) < 1e-9) {
                return d;
            }
        }
        return null;
    }
}
