package io.rnnstream.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Dropout;
import io.rnnstream.model.layers.Flatten;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Recurrent;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.testing.TestTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KerasExport}: every exported model reads back through {@link KerasImport} to the same numbers. */
class KerasExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final Random r = new Random(20240601L);

    private Tensor rand(int... shape) {
        return TestTensors.gaussian(r, 0.4, shape);
    }

    private Tensor positive(int n) {
        Tensor t = rand(n);
        for (int i = 0; i < n; i++) {
            t.data()[i] = Math.abs(t.data()[i]) + 0.05f;
        }
        return t;
    }

    private SimpleRnn simpleRnn(String name, int d, int m, boolean seq, boolean bias) {
        return new SimpleRnn(name, d, m, Activation.TANH, bias, seq, false, rand(d, m), rand(m, m),
                bias ? rand(m) : null);
    }

    private Lstm lstm(String name, int d, int m, Activation rec, boolean seq, boolean bias) {
        return new Lstm(name, d, m, Activation.TANH, rec, bias, seq, false, rand(d, 4 * m), rand(m, 4 * m),
                bias ? rand(4 * m) : null);
    }

    private Gru gru(String name, int d, int m, boolean resetAfter, boolean seq, boolean bias) {
        return new Gru(name, d, m, Activation.TANH, Activation.SIGMOID, bias, resetAfter, seq, false, rand(d, 3 * m),
                rand(m, 3 * m), !bias ? null : resetAfter ? rand(2, 3 * m) : rand(3 * m));
    }

    private Dense dense(String name, int in, int k, Activation a, boolean bias) {
        return new Dense(name, in, k, a, bias, rand(in, k), bias ? rand(k) : null);
    }

    private static Model model(String name, int timesteps, Layer... layers) {
        return new Model(new ModelInfo(name, 1, List.of(), "test"), timesteps, List.of(layers));
    }

    private float[][] sequence(int t, int d) {
        float[][] x = new float[t][d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextGaussian() * 1.5);
            }
        }
        return x;
    }

    /** Exports, imports, and checks layers, settings, weights and predictions bit for bit. */
    private Model roundTrip(Model m) {
        Path file = tmp.resolve(m.info().name() + ".h5");
        KerasExport.write(m, file);
        Model back = KerasImport.load(file);
        assertEquals(m.info().name(), back.info().name());
        assertEquals(m.timesteps(), back.timesteps());
        assertEquals(m.layers().size(), back.layers().size(), () -> back.describe());
        for (int i = 0; i < m.layers().size(); i++) {
            Layer a = m.layers().get(i);
            Layer b = back.layers().get(i);
            assertEquals(a.type(), b.type());
            assertEquals(a.name(), b.name());
            assertEquals(a.config(), b.config(), a.name());
            assertEquals(a.weights(), b.weights(), a.name());
        }
        assertEquals(m.paramCount(), back.paramCount());
        assertEquals(m.sha256(), back.withInfo(m.info()).sha256(), "same native encoding");
        int t = m.timesteps() > 0 ? m.timesteps() : 9;
        for (int s = 0; s < 4; s++) {
            float[][] x = sequence(t, m.inputSize());
            float[][] want = Forward.predict(m, x);
            float[][] got = Forward.predict(back, x);
            assertEquals(want.length, got.length);
            for (int k = 0; k < want.length; k++) {
                assertArrayEquals(want[k], got[k], 0f, "bit-identical output");
            }
        }
        return back;
    }

    @Test
    void simpleRnnWithSoftmaxHead() throws Exception {
        Model m = model("mnist-like", 28, simpleRnn("simple_rnn", 28, 16, false, true),
                dense("dense", 16, 10, Activation.SOFTMAX, true));
        roundTrip(m);
        Path file = tmp.resolve("mnist-like.h5");
        try (HdfFile h = new HdfFile(file)) {
            assertEquals("2.15.0", KerasWeights.string(h, "keras_version"));
            assertEquals("tensorflow", KerasWeights.string(h, "backend"));
            JsonNode cfg = JSON.readTree(KerasWeights.string(h, "model_config"));
            assertEquals("Sequential", cfg.get("class_name").asText());
            JsonNode layers = cfg.get("config").get("layers");
            assertEquals("InputLayer", layers.get(0).get("class_name").asText());
            assertEquals("[null,28,28]", layers.get(0).get("config").get("batch_input_shape").toString());
            assertEquals("SimpleRNN", layers.get(1).get("class_name").asText());
            assertEquals(16, layers.get(1).get("config").get("units").asInt());
            Group mw = (Group) h.getChild("model_weights");
            assertEquals(List.of("simple_rnn", "dense"), KerasWeights.strings(mw.getAttribute("layer_names")));
            Group rnn = (Group) mw.getChild("simple_rnn");
            assertEquals(List.of("simple_rnn/simple_rnn_cell/kernel:0", "simple_rnn/simple_rnn_cell/recurrent_kernel:0",
                    "simple_rnn/simple_rnn_cell/bias:0"), KerasWeights.strings(rnn.getAttribute("weight_names")));
            Dataset k = h.getDatasetByPath("model_weights/simple_rnn/simple_rnn/simple_rnn_cell/kernel:0");
            assertArrayEquals(new int[] {28, 16}, k.getDimensions());
            assertEquals(float.class, k.getJavaType());
            assertEquals(List.of("dense/kernel:0", "dense/bias:0"),
                    KerasWeights.strings(((Group) mw.getChild("dense")).getAttribute("weight_names")));
        }
    }

    @Test
    void lstmWithKeras2HardSigmoid() {
        Model m = model("lstm", -1, lstm("lstm", 5, 7, Activation.HARD_SIGMOID, false, true),
                dense("dense", 7, 3, Activation.SOFTMAX, true));
        Model back = roundTrip(m);
        assertEquals(Activation.HARD_SIGMOID, ((Lstm) back.layers().get(0)).recurrentActivation());
        assertEquals("2.15.0", KerasExport.kerasVersion(m));
    }

    @Test
    void gruResetAfterTrueAndFalse() {
        roundTrip(model("gru-after", -1, gru("gru", 4, 6, true, false, true), dense("dense", 6, 2, Activation.SIGMOID,
                true)));
        Model before = roundTrip(model("gru-before", 12, gru("gru", 4, 6, false, false, true),
                dense("dense", 6, 2, Activation.LINEAR, true)));
        assertFalse(((Gru) before.layers().get(0)).resetAfter());
    }

    @Test
    void stackWithNormalizationMaskingAndDropout() {
        Model m = model("stack", -1,
                new Masking("masking", 6, 0f),
                new Normalization("normalization", rand(6), positive(6)),
                lstm("lstm", 6, 8, Activation.SIGMOID, true, true),
                gru("gru", 8, 5, true, true, true),
                simpleRnn("simple_rnn", 5, 4, false, true),
                new Dropout("dropout", 4, 0.25f),
                dense("dense", 4, 3, Activation.SOFTMAX, true));
        Model back = roundTrip(m);
        assertInstanceOf(Normalization.class, back.layers().get(1));
        // Masked steps (all zeros) leave the state alone in both.
        float[][] x = sequence(7, 6);
        x[3] = new float[6];
        assertArrayEquals(Forward.predict(m, x)[0], Forward.predict(back, x)[0], 0f);
    }

    @Test
    void noBiasAnywhere() {
        roundTrip(model("nobias", -1, simpleRnn("simple_rnn", 3, 4, true, false),
                lstm("lstm", 4, 4, Activation.SIGMOID, true, false), gru("gru", 4, 3, true, true, false),
                gru("gru_1", 3, 3, false, false, false), dense("dense", 3, 2, Activation.SOFTMAX, false)));
    }

    @Test
    void returnSequencesHeadGoBackwardsAndFlatten() {
        roundTrip(model("seq", -1, lstm("lstm", 3, 4, Activation.SIGMOID, true, true),
                dense("dense", 4, 2, Activation.RELU, true)));
        roundTrip(model("back", -1, new SimpleRnn("rnn", 3, 4, Activation.RELU, true, false, true, rand(3, 4),
                rand(4, 4), rand(4)), dense("dense", 4, 2, Activation.ELU, true)));
        roundTrip(model("flat", 5, lstm("lstm", 3, 4, Activation.SIGMOID, true, true), new Flatten("flatten", 5, 4),
                dense("dense", 20, 3, Activation.SOFTMAX, true)));
    }

    @Test
    void keras3OnlyActivationsSayKeras3() throws Exception {
        Model m = model("k3", -1, lstm("lstm", 3, 4, Activation.HARD_SIGMOID_KERAS3, false, true),
                dense("dense", 4, 2, Activation.RELU6, true));
        assertEquals("3.0.0", KerasExport.kerasVersion(m));
        Model back = roundTrip(m);
        assertEquals(Activation.HARD_SIGMOID_KERAS3, ((Lstm) back.layers().get(0)).recurrentActivation());
        try (HdfFile h = new HdfFile(tmp.resolve("k3.h5"))) {
            assertEquals("3.0.0", KerasWeights.string(h, "keras_version"));
        }
    }

    @Test
    void mixingBothHardSigmoidsIsRefused() {
        Model m = model("mixed", -1, lstm("lstm", 3, 4, Activation.HARD_SIGMOID, true, true),
                lstm("lstm_1", 4, 4, Activation.HARD_SIGMOID_KERAS3, false, true));
        Path out = tmp.resolve("mixed.h5");
        ModelException e = assertThrows(ModelException.class, () -> KerasExport.write(m, out));
        assertTrue(e.getMessage().contains("hard_sigmoid") && e.getMessage().contains(".rnns"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void duplicateLayerNamesAreRefused() {
        Model m = model("dup", -1, simpleRnn("rnn", 3, 4, true, true), simpleRnn("rnn", 4, 4, false, true));
        ModelException e = assertThrows(ModelException.class, () -> KerasExport.write(m, tmp.resolve("dup.h5")));
        assertTrue(e.getMessage().contains("two layers are named 'rnn'"), e.getMessage());
    }

    @Test
    void overwritesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
        Path out = tmp.resolve("sub/dir/m.h5");
        Model a = model("m", -1, simpleRnn("simple_rnn", 2, 3, false, true));
        Model b = model("m", -1, gru("gru", 2, 3, true, false, true));
        KerasExport.write(a, out);
        KerasExport.write(b, out);
        assertInstanceOf(Gru.class, KerasImport.load(out).layers().get(0));
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList());
        }
        assertInstanceOf(Recurrent.class, KerasImport.load(out).layers().get(0));
    }
}
