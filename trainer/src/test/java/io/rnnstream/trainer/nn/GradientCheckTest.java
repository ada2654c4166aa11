package io.rnnstream.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences against the hand-written BPTT, in double precision, for every cell
 * type, stacked two deep (so the input gradient of the lower layer is checked too), on a batch of
 * padded sequences (so masking is checked too), for the last-step and the every-step loss (whose
 * weights differ per sequence length, so padding is checked against the loss too).
 */
class GradientCheckTest {
    private static DataType savedType;

    @BeforeAll
    static void doublePrecision() {
        savedType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedType, savedType);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"SimpleRNN(5),SimpleRNN(4) | LAST_STEP", "LSTM(5),LSTM(4) | LAST_STEP",
        "GRU(5),GRU(4) | LAST_STEP", "GRU(3),LSTM(4),SimpleRNN(3) | LAST_STEP",
        "SimpleRNN(5),SimpleRNN(4) | EVERY_STEP", "LSTM(5),LSTM(4) | EVERY_STEP", "GRU(5),GRU(4) | EVERY_STEP",
        "GRU(3),LSTM(4),SimpleRNN(3) | EVERY_STEP"})
    void analyticGradientsMatchFiniteDifferences(String layers, Loss loss) {
        int d = 3;
        int k = 3;
        Network net = Network.create(LayerSpec.parseList(layers), d, k, 7);
        Random rnd = new Random(11);
        // Biases start at 0 (or 1); make them nonzero so their gradients are exercised in general position.
        for (INDArray p : net.params()) {
            for (long i = 0; i < p.length(); i++) {
                p.putScalar(i, p.getDouble(i) + 0.3 * rnd.nextGaussian());
            }
        }
        int[] lengths = {6, 3, 6, 1, 4};
        float[][][] xs = new float[lengths.length][][];
        int[] ys = new int[lengths.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = new float[lengths[i]][d];
            for (float[] step : xs[i]) {
                for (int j = 0; j < d; j++) {
                    step[j] = (float) rnd.nextGaussian();
                }
            }
            ys[i] = rnd.nextInt(k);
        }
        Batch batch = Batch.of(xs, ys);
        net.trainStep(batch, loss);
        List<INDArray> params = net.params();
        List<INDArray> grads = net.grads();
        double[][] analytic = new double[grads.size()][];
        for (int i = 0; i < grads.size(); i++) {
            analytic[i] = grads.get(i).dup().data().asDouble();
        }
        double eps = 1e-6;
        double worst = 0;
        String worstAt = "";
        for (int pi = 0; pi < params.size(); pi++) {
            INDArray p = params.get(pi);
            // Every element of small arrays, a seeded sample of larger ones: keeps the test short.
            long count = Math.min(p.length(), 6);
            for (long c = 0; c < count; c++) {
                long i = p.length() <= 6 ? c : rnd.nextInt((int) p.length());
                double v = p.getDouble(i);
                p.putScalar(i, v + eps);
                double up = net.trainStep(batch, loss).lossSum() / batch.size();
                p.putScalar(i, v - eps);
                double down = net.trainStep(batch, loss).lossSum() / batch.size();
                p.putScalar(i, v);
                double numeric = (up - down) / (2 * eps);
                double a = analytic[pi][(int) i];
                double err = Math.abs(numeric - a) / Math.max(1e-8, Math.abs(numeric) + Math.abs(a));
                if (Math.abs(numeric - a) > 1e-8 && err > worst) {
                    worst = err;
                    worstAt = "param " + pi + " element " + i + ": analytic " + a + " numeric " + numeric;
                }
            }
        }
        assertTrue(worst < 1e-5, layers + " " + loss + ": worst relative error " + worst + " at " + worstAt);
    }
}
