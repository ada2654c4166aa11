package io.rnnstream.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The recurrent units and the network keep their work buffers while batches keep their shape:
 * a batch must give the same loss and gradients whatever batches of other shapes (smaller, padded,
 * longer) ran between.
 */
class BufferReuseTest {
    private static Batch batch(Random r, int size, int minLen, int maxLen, int d) {
        float[][][] xs = new float[size][][];
        int[] ys = new int[size];
        for (int i = 0; i < size; i++) {
            int t = minLen + r.nextInt(maxLen - minLen + 1);
            xs[i] = new float[t][d];
            for (float[] row : xs[i]) {
                for (int j = 0; j < d; j++) {
                    row[j] = (float) r.nextGaussian();
                }
            }
            ys[i] = r.nextInt(3);
        }
        return Batch.of(xs, ys);
    }

    private static List<float[]> grads(Network net, Batch b, double[] loss) {
        loss[0] = net.trainStep(b).lossSum();
        List<float[]> out = new ArrayList<>();
        for (INDArray g : net.grads()) {
            out.add(Nd.floats(g));
        }
        return out;
    }

    @Test
    void sameBatchSameGradientsWhateverRanBetween() {
        Random r = new Random(9);
        Batch a = batch(r, 6, 5, 5, 4);
        Batch ragged = batch(r, 6, 2, 5, 4);
        Batch small = batch(r, 3, 5, 5, 4);
        Batch longer = batch(r, 6, 7, 7, 4);
        for (String layers : new String[] {"SimpleRNN(5)", "SimpleRNN(5),SimpleRNN(4)", "LSTM(4),SimpleRNN(3)",
            "GRU(4)"}) {
            Network net = Network.create(LayerSpec.parseList(layers), 4, 3, 1);
            double[] l1 = new double[1];
            double[] l2 = new double[1];
            double[] lr1 = new double[1];
            double[] lr2 = new double[1];
            List<float[]> first = grads(net, a, l1);
            List<float[]> raggedFirst = grads(net, ragged, lr1);
            grads(net, small, new double[1]);
            grads(net, longer, new double[1]);
            List<float[]> again = grads(net, a, l2);
            List<float[]> raggedAgain = grads(net, ragged, lr2);
            assertEquals(l1[0], l2[0], layers);
            assertEquals(lr1[0], lr2[0], layers);
            for (int i = 0; i < first.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(first.get(i), again.get(i), 0f, layers + " #" + i);
                org.junit.jupiter.api.Assertions.assertArrayEquals(raggedFirst.get(i), raggedAgain.get(i), 0f,
                        layers + " ragged #" + i);
            }
        }
    }
}
