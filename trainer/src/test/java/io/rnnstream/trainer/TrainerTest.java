package io.rnnstream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.TrainingInfo;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Recurrent;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.trainer.data.Datasets;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.TrainTest;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Loss;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Short training runs on the bundled data: the plumbing, not the accuracy bars (docs/TRAINING.md). */
class TrainerTest {
    @Test
    void tinyMnistRunBuildsAKerasShapedModelThatLearns() {
        TrainTest tt = Datasets.load("mnist", 0.2, 1);
        SequenceDataset train = tt.train().limit(1100);
        TrainConfig cfg = TrainConfig.of(LayerSpec.parseList("SimpleRNN(32)")).withEpochs(3).withName("tiny")
                .withOptimizer("adam", 0.005)
                .withValidation(0.1, 0);
        TrainResult r = Trainer.train(train, cfg, TrainListener.NONE);
        Model m = r.model();
        List<Layer> layers = m.layers();
        assertEquals(3, layers.size());
        assertInstanceOf(Normalization.class, layers.get(0));
        SimpleRnn rnn = assertInstanceOf(SimpleRnn.class, layers.get(1));
        assertEquals(32, rnn.units());
        assertTrue(!rnn.returnSequences());
        Dense head = assertInstanceOf(Dense.class, layers.get(2));
        assertEquals(10, head.units());
        assertEquals("softmax", head.activation().fileName());
        assertEquals(28, m.timesteps());
        assertEquals(tt.train().classNames(), m.info().classNames());
        assertEquals(3, r.history().size());
        assertEquals(1100, r.trainSize() + r.validationSize());
        assertEquals(110, r.validationSize(), 5, "a stratified 10 %, rounded per class: enough to calibrate on");
        assertTrue(r.history().get(2).loss() < r.history().get(0).loss(), "the loss falls: " + r.history());
        assertTrue(r.history().get(1).hasValidation());

        // Trained at every step (the default), calibrated on the validation split, its decision table stored.
        TrainingInfo ti = m.info().training();
        assertTrue(ti.perStepTrained());
        assertTrue(ti.calibrated() && ti.temperature() > 0, "temperature " + ti.temperature());
        assertEquals(r.validationSize(), ti.validationSequences());
        assertEquals(Evaluation.THRESHOLDS.length, ti.decisions().size());
        assertEquals(r.calibration().after().decisions(), ti.decisions());
        assertEquals(ti, ModelFile.decode(ModelFile.encode(m), "t").info().training());

        Evaluation e = Evaluation.of(m, tt.test().limit(300));
        assertTrue(e.accuracy() > 0.3, "better than chance (0.1) after 2,970 examples: " + e.accuracy());
        assertEquals(28, e.accuracyAtStep().length);
        assertEquals(e.accuracy(), e.accuracyAtStep()[27], 1e-12);
        // Evaluation is predict: the same argmax for every sequence.
        for (int i = 0; i < 300; i++) {
            float[] p = Forward.predict(m, tt.test().x()[i])[0];
            assertEquals(io.rnnstream.trainer.nn.Network.argmax(p), e.predictions()[i]);
        }
    }

    @Test
    void aSeedRepeatsARunExactly() {
        SequenceDataset train = Datasets.load("japanese-vowels", 0.2, 1).train().limit(100);
        TrainConfig cfg = TrainConfig.of(LayerSpec.parseList("GRU(6)")).withEpochs(1).withBatchSize(16).withSeed(5);
        Model a = Trainer.train(train, cfg, TrainListener.NONE).model();
        Model b = Trainer.train(train, cfg, TrainListener.NONE).model();
        Model c = Trainer.train(train, cfg.withSeed(6), TrainListener.NONE).model();
        assertEquals(a.layers().get(1).weights(), b.layers().get(1).weights());
        assertEquals(a.layers().get(2).weights(), b.layers().get(2).weights());
        assertTrue(!a.layers().get(1).weights().equals(c.layers().get(1).weights()));
    }

    @Test
    void theLastStepLossIsRecordedAndNothingIsCalibratedWithoutValidation() {
        SequenceDataset train = Datasets.load("japanese-vowels", 0.2, 1).train().limit(60);
        TrainConfig cfg = TrainConfig.of(LayerSpec.parseList("GRU(6)")).withEpochs(1).withLoss(Loss.LAST_STEP);
        TrainResult r = Trainer.train(train, cfg, TrainListener.NONE);
        TrainingInfo ti = r.model().info().training();
        assertEquals(TrainingInfo.LAST_STEP, ti.objective());
        assertTrue(!ti.calibrated());
        assertTrue(ti.decisions().isEmpty());
        assertEquals(null, r.calibration());
    }

    @Test
    void variableLengthStackWithEarlyStopping() {
        SequenceDataset train = Datasets.load("japanese-vowels", 0.2, 1).train().limit(150);
        TrainConfig cfg = TrainConfig.of(LayerSpec.parseList("LSTM(8),LSTM(6)")).withEpochs(12).withBatchSize(32)
                .withOptimizer("adam", 0.05).withValidation(0.2, 1);
        TrainResult r = Trainer.train(train, cfg, TrainListener.NONE);
        Model m = r.model();
        assertEquals(-1, m.timesteps());
        Lstm lower = assertInstanceOf(Lstm.class, m.layers().get(1));
        Lstm upper = assertInstanceOf(Lstm.class, m.layers().get(2));
        assertTrue(lower.returnSequences());
        assertTrue(!upper.returnSequences());
        assertEquals("lstm", lower.name());
        assertEquals("lstm_1", upper.name());
        assertTrue(r.history().size() <= 12);
        assertTrue(r.bestEpoch() >= 1 && r.bestEpoch() <= r.history().size());
        for (Layer l : m.layers()) {
            if (l instanceof Recurrent rec) {
                assertEquals("sigmoid", ((Lstm) rec).recurrentActivation().fileName());
            }
        }
    }
}
