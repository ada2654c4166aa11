package io.rnnstream.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Flatten;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.SimpleRnn;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Files written by Keras itself (conformance/keras-real), with Keras's own predictions. */
class KerasRealFilesTest {
    private static Model load(String file) {
        return KerasImport.load(Fixtures.conformance("keras-real/" + file));
    }

    /** The only dataset in a group of the inputs-and-outputs file. */
    private static Dataset only(HdfFile f, String group) {
        Group g = (Group) f.getChild(group);
        assertEquals(1, g.getChildren().size(), group);
        return (Dataset) g.getChildren().values().iterator().next();
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple_rnn", "simple_flatten_rnn", "simple_flatten_lstm"})
    void reproducesKerasPredictions(String stem) {
        Model model = load(stem + "_tf_keras_2_model.h5");
        try (HdfFile io = new HdfFile(Fixtures.conformance("keras-real/" + stem + "_tf_keras_2_inputs_and_outputs.h5"))) {
            float[][][] inputs = (float[][][]) only(io, "inputs").getData();
            // predictions/*, not outputs/*: the latter are the training targets.
            float[][] predictions = (float[][]) only(io, "predictions").getData();
            assertEquals(25, inputs.length);
            double worst = 0;
            for (int i = 0; i < inputs.length; i++) {
                float[][] got = Forward.predict(model, inputs[i]);
                worst = Math.max(worst, Forward.maxAbsDiff(got, new float[][] {predictions[i]}));
            }
            assertTrue(worst < 1e-5, stem + ": max abs error " + worst);
        }
    }

    @Test
    void simpleRnnStructureAndInfo() {
        Model m = load("simple_rnn_tf_keras_2_model.h5");
        assertEquals(2, m.layers().size());
        SimpleRnn rnn = assertInstanceOf(SimpleRnn.class, m.layers().get(0));
        assertEquals(50, rnn.units());
        assertInstanceOf(Dense.class, m.layers().get(1));
        assertEquals(1, m.inputSize());
        assertEquals(1, m.info().version());
        assertTrue(m.info().classNames().isEmpty());
        // Keras 2.1's list-form config has no model name: the file's stem stands in.
        assertEquals("simple_rnn_tf_keras_2_model", m.info().name());
        assertEquals("keras 2.1.3 (simple_rnn_tf_keras_2_model.h5)", m.info().source());
    }

    @Test
    void flattenAfterReturnSequences() {
        Model m = load("simple_flatten_rnn_tf_keras_2_model.h5");
        assertEquals(List.of("SimpleRNN", "Flatten", "Dense"), m.layers().stream().map(l -> l.type()).toList());
        assertEquals(1, ((Flatten) m.layers().get(1)).timesteps());
        assertFalse(m.outputIsSequence());
        assertTrue(m.whyNotCausal() != null);
    }

    @Test
    void keras2HardSigmoid() {
        Model m = load("simple_flatten_lstm_tf_keras_2_model.h5");
        Lstm lstm = assertInstanceOf(Lstm.class, m.layers().get(0));
        assertEquals(Activation.HARD_SIGMOID, lstm.recurrentActivation());
    }

    @Test
    void functionalChainLoads() {
        Model m = load("lstm_functional_tf_keras_2.h5");
        assertEquals("Keras_LSTM", m.info().name());
        assertEquals(List.of("LSTM", "Dense"), m.layers().stream().map(l -> l.type()).toList());
        assertEquals(4, m.inputSize());
        assertEquals(10, m.timesteps());
        assertEquals(5, m.outputSize());
        assertEquals(Activation.SOFTMAX, m.headActivation());
        float[][] out = Forward.predict(m, new float[10][4]);
        double sum = 0;
        for (float v : out[0]) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void maskingLoadsAndAMaskedStepLeavesStateUnchanged() {
        Model m = load("masking_zero_lstm.h5");
        assertInstanceOf(Masking.class, m.layers().get(0));
        assertEquals(42, m.inputSize());
        StepKernel k = new StepKernel(m);
        float[] state = k.newState();
        Random r = new Random(7);
        float[] x = new float[42];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        float[] y1 = k.step(state, x).clone();
        float[] before = state.clone();
        float[] y2 = k.step(state, new float[42]).clone();
        assertArrayEquals(before, state, "a masked step must not change the state");
        assertArrayEquals(y1, y2, "a masked step repeats the last output");
        // Offline: trailing masked steps do not change the prediction.
        float[][] seq = new float[10][42];
        seq[0] = x;
        float[][] shortSeq = {x};
        assertArrayEquals(Forward.predict(m, shortSeq)[0], Forward.predict(m, seq)[0]);
    }

    @Test
    void keras1IsRefusedNamingTheVersion() {
        ModelException e = assertThrows(ModelException.class, () -> load("simple_lstm_tf_keras_1_model.h5"));
        assertTrue(e.getMessage().contains("Keras 1.2.2"), e.getMessage());
        assertTrue(e.getMessage().contains("re-save it with Keras 2"), e.getMessage());
    }
}
