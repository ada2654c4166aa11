package io.rnnstream.trainer;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.nn.Network;
import java.util.List;

/**
 * A model's scores on labelled sequences, computed by the model core's {@link StepKernel} on the
 * raw (unstandardised) data, so they are the scores of {@code predict} and of the stream exactly.
 *
 * @param predictions the predicted class of each sequence (the head at its last step)
 * @param confusion [true class][predicted class] counts
 * @param precision per class; NaN when the class was never predicted
 * @param recall per class; NaN when the class has no sequences
 * @param accuracyAtStep [t−1]: accuracy when each sequence is classified by the head's output at
 *     step t (its last step if it is shorter): what classifying early costs
 */
public record Evaluation(List<String> classNames, int size, double accuracy, double loss, int[] predictions,
        int[][] confusion, double[] precision, double[] recall, double[] accuracyAtStep) {

    public static Evaluation of(Model model, SequenceDataset data) {
        StepKernel kernel = new StepKernel(model);
        int k = model.outputSize();
        int n = data.size();
        int tMax = data.maxLength();
        int[] pred = new int[n];
        int[][] confusion = new int[k][k];
        int[] hitsAt = new int[tMax];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            float[][] out = Forward.sequences(kernel, data.x()[i]);
            int y = data.y()[i];
            int last = out.length - 1;
            for (int t = 0; t < tMax; t++) {
                if (Network.argmax(out[Math.min(t, last)]) == y) {
                    hitsAt[t]++;
                }
            }
            pred[i] = Network.argmax(out[last]);
            confusion[y][pred[i]]++;
            loss -= Math.log(Math.max(out[last][y], 1e-30));
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
        return new Evaluation(data.classNames(), n, (double) correct / n, loss / n, pred, confusion, precision,
                recall, accAt);
    }
}
