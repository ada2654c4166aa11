package io.rnnstream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.TrainingInfo.DecisionPoint;
import io.rnnstream.trainer.nn.Loss;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Temperature scaling, the step weights, and the decision rule on outputs made by hand. */
class CalibrationTest {
    @Test
    void recoversTheTemperatureThatGeneratedTheLabels() {
        // Labels drawn from softmax(z / 2.5): the NLL is smallest at T = 2.5.
        Random rnd = new Random(3);
        int n = 20_000;
        double[][] z = new double[n][4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double[] p = new double[4];
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                z[i][j] = 6 * rnd.nextGaussian();
                p[j] = Math.exp(z[i][j] / 2.5);
                sum += p[j];
            }
            double u = rnd.nextDouble() * sum;
            int c = 0;
            while (c < 3 && (u -= p[c]) > 0) {
                c++;
            }
            y[i] = c;
        }
        assertEquals(2.5, Calibration.fitTemperature(z, y), 0.1);
    }

    @Test
    void everyStepWeightsOfASequenceSumToOneGrowWithTAndHalfIsOnTheLastStep() {
        for (int len : new int[] {1, 7, 28, 100}) {
            double sum = 0;
            for (int t = 0; t < len; t++) {
                sum += Loss.EVERY_STEP.weight(t, len);
                if (t > 0) {
                    assertTrue(Loss.EVERY_STEP.weight(t, len) > Loss.EVERY_STEP.weight(t - 1, len));
                }
            }
            assertEquals(1, sum, 1e-12);
            assertEquals(0, Loss.EVERY_STEP.weight(len, len), "padding weighs nothing");
            assertEquals(1, Loss.LAST_STEP.weight(len - 1, len));
        }
        assertEquals(0.5 * 2.0 / (28 * 29), Loss.EVERY_STEP.weight(0, 28), 1e-15);
        assertEquals(0.5 + 0.5 * 2.0 / 29, Loss.EVERY_STEP.weight(27, 28), 1e-15, "half on the last step");
    }

    @Test
    void decisionsFollowTheStreamsRule() {
        // Three sequences of 4 steps, 2 classes: decided right at step 2, decided wrong at step 1, never
        // decided (0.9f is 0.89999998: below 0.9, as the job's float-to-double comparison sees it).
        float[][][] outs = {
            {{0.6f, 0.4f}, {0.95f, 0.05f}, {0.99f, 0.01f}, {0.2f, 0.8f}},
            {{0.05f, 0.95f}, {0.5f, 0.5f}, {0.85f, 0.15f}, {0.85f, 0.15f}},
            {{0.5f, 0.5f}, {0.6f, 0.4f}, {0.4f, 0.6f}, {0.9f, 0.1f}}};
        int[] y = {0, 0, 1};
        DecisionPoint d = Evaluation.decisions(outs, y, 0.9);
        assertEquals(0.5, d.precision(), 1e-12);
        assertEquals(2.0 / 3, d.decided(), 1e-12);
        assertEquals((2 + 1 + 4) / 3.0, d.meanDecisionStep(), 1e-12);
        assertEquals(4, d.meanLength(), 1e-12);
        Evaluation e = Evaluation.of(outs, y, 2, 4, List.of("a", "b"));
        assertEquals(1.0 / 3, e.accuracy(), 1e-12, "the last step gives the final class");
        assertEquals(Evaluation.THRESHOLDS.length, e.decisions().size());
        assertTrue(e.ece() >= 0 && e.ece() <= 1);
    }
}
