package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Normalization;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SummaryTest {
    private static void assertContains(String text, String part) {
        assertTrue(text.contains(part), "expected «" + part + "» in:\n" + text);
    }

    @Test
    void mnistSimpleRnnCountsAsKerasDoes() {
        Model m = TestModels.mnist(1);
        String s = Summary.render(m, false);
        assertContains(s, "Model: \"mnist-simplernn\"  (id " + m.id() + ")");
        assertContains(s, "│ simple_rnn (SimpleRNN)        │ (None, 128)            │        20,096 │");
        assertContains(s, "│ dense (Dense)                 │ (None, 10)             │         1,290 │");
        assertContains(s, " Total params: 21,386 (83.54 KB)");
        assertContains(s, " Trainable params: 21,386 (83.54 KB)");
        assertContains(s, " Non-trainable params: 0 (0.00 B)");
        assertContains(s, " State kept per key: 128 floats (512 bytes) — simple_rnn: h (128)");
        assertContains(s, "Layer (type)");
        assertContains(s, "Output Shape");
        assertContains(s, "Param #");
        assertFalse(s.contains("How each count adds up"));
    }

    @Test
    void explainWorksOutEachCount() {
        String s = Summary.render(TestModels.mnist(1), true);
        assertContains(s, "simple_rnn (SimpleRNN): 128 × (28 + 128 + 1) = 20,096");
        assertContains(s, "dense (Dense): 10 × (128 + 1) = 1,290");
        assertContains(s, "units: the size of a recurrent layer's hidden state h");
        assertContains(s, "(batch, timesteps, features) = (None, 28, 28)");
        assertContains(s, "return_sequences=True");
    }

    @Test
    void lstmAndGruCounts() {
        Random r = new Random(3);
        Model lstm = new Model(TestModels.info("lstm"), 50, List.of(TestModels.lstm(r, "lstm", 12, 64, false),
                TestModels.dense(r, "dense", 64, 3, Activation.SOFTMAX)));
        assertEquals(4 * 64 * (12 + 64 + 1), lstm.layers().get(0).paramCount());
        String s = Summary.render(lstm, true);
        assertContains(s, "│        19,712 │");
        assertContains(s, "lstm (LSTM): 4 × 64 × (12 + 64 + 1) = 19,712");
        assertContains(s, "i, f, c, o");
        assertContains(s, "State kept per key: 128 floats (512 bytes) — lstm: h (64) + c (64)");

        Gru after = TestModels.gru(r, "gru", 6, 32, true, true);
        Gru before = TestModels.gru(r, "gru_1", 32, 32, false, false);
        Model gru = new Model(TestModels.info("gru"), -1, List.of(after, before,
                TestModels.dense(r, "dense", 32, 1, Activation.SIGMOID)));
        assertEquals(3 * 32 * (6 + 32 + 2), after.paramCount());
        assertEquals(3 * 32 * (32 + 32 + 1), before.paramCount());
        String g = Summary.render(gru, true);
        assertContains(g, "gru (GRU): 3 × 32 × (6 + 32 + 2) = 3,840");
        assertContains(g, "gru_1 (GRU): 3 × 32 × (32 + 32 + 1) = 6,240");
        assertContains(g, "│ gru (GRU)                     │ (None, None, 32)       │         3,840 │");
        assertContains(g, "│ gru_1 (GRU)                   │ (None, 32)             │         6,240 │");
        assertContains(g, "(None, None, 6)");
    }

    @Test
    void useBiasFalseDropsThePlusOne() {
        Model m = TestModels.everything(3);
        String s = Summary.render(m, true);
        assertContains(s, "lstm (LSTM): 4 × 7 × (5 + 7) = 336");
        assertContains(s, "dense (Dense): 2 × 3 = 6");
    }

    @Test
    void normalizationIsNotTrainableAndDenseAfterASequenceKeepsTime() {
        Random r = new Random(4);
        List<Layer> layers = List.of(new Normalization("normalization", TestModels.rand(r, 28),
                TestModels.positive(r, 28)), TestModels.simpleRnn(r, "simple_rnn", 28, 16, true),
                TestModels.dense(r, "dense", 16, 10, Activation.SOFTMAX));
        Model m = new Model(TestModels.info("seq"), 28, layers);
        String s = Summary.render(m, true);
        assertContains(s, "│ normalization (Normalization) │ (None, 28, 28)         │            57 │");
        assertContains(s, "│ simple_rnn (SimpleRNN)        │ (None, 28, 16)         │           720 │");
        assertContains(s, "│ dense (Dense)                 │ (None, 28, 10)         │           170 │");
        assertContains(s, " Total params: 947");
        assertContains(s, " Trainable params: 890");
        assertContains(s, " Non-trainable params: 57");
        assertContains(s, "normalization (Normalization): 2 × 28 + 1 = 57");
    }

    @Test
    void flattenAndAsciiMode() {
        String s = Summary.render(TestModels.flatten(1), true, false);
        assertContains(s, "| flatten (Flatten)             | (None, 20)             |             0 |");
        assertContains(s, "| lstm (LSTM)                   | (None, 5, 4)           |           128 |");
        assertContains(s, "Streams one event at a time: no - layer 'flatten'");
        for (char c : s.toCharArray()) {
            assertTrue(c < 128, "non-ASCII '" + c + "' in:\n" + s);
        }
    }
}
