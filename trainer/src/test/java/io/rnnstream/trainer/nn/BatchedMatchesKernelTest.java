package io.rnnstream.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.trainer.Trainer;
import io.rnnstream.trainer.data.Datasets;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.Standardizer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The batched ND4J forward pass (padded, masked, standardised data) against the model core's step
 * kernel on the raw sequences one at a time: what training optimises is what serving computes.
 */
class BatchedMatchesKernelTest {
    @ParameterizedTest
    @ValueSource(strings = {"SimpleRNN(16)", "LSTM(12)", "GRU(10)", "LSTM(8),GRU(6),SimpleRNN(5)"})
    void batchedForwardEqualsStepKernel(String layers) {
        SequenceDataset data = Datasets.load("japanese-vowels", 0.2, 1).test().limit(80);
        Normalization norm = Standardizer.fit(data);
        Network net = Network.create(LayerSpec.parseList(layers), data.features(), data.numClasses(), 3);
        // Weights away from their initial values (nonzero biases, larger scale), as after training.
        Random rnd = new Random(4);
        for (INDArray p : net.params()) {
            for (long i = 0; i < p.length(); i++) {
                p.putScalar(i, p.getDouble(i) * 1.5 + 0.2 * rnd.nextGaussian());
            }
        }
        double[][] batched = Trainer.predict(net, Standardizer.apply(norm, data));
        Model model = net.toModel(new ModelInfo("t", 1, data.classNames(), "test"), norm, -1);
        double worst = 0;
        for (int i = 0; i < data.size(); i++) {
            float[] k = Forward.predict(model, data.x()[i])[0];
            for (int j = 0; j < k.length; j++) {
                worst = Math.max(worst, Math.abs(k[j] - batched[i][j]));
            }
        }
        assertTrue(worst < 1e-5, layers + ": max |batched − kernel| = " + worst);
        assertTrue(List.of(model.layers().get(0)).get(0) instanceof Normalization);
    }
}
