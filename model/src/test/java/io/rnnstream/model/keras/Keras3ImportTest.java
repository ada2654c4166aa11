package io.rnnstream.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.io.Npy;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Normalization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras 3 files: a {@code .keras} zip (config.json, metadata.json, model.weights.h5 with
 * {@code layers/<name>/[cell/]vars/<i>}) and {@code .weights.h5} + JSON. The fixtures are built
 * here from a conformance case's weights, in Keras 3's layout, so the expected outputs still apply.
 */
class Keras3ImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A Keras 3 layer entry: module/class_name/config/registered_name, as Keras 3 serialises it. */
    private static ObjectNode layer(String cls, String name) {
        ObjectNode l = JSON.createObjectNode();
        l.put("module", "keras.layers");
        l.put("class_name", cls);
        ObjectNode c = l.putObject("config");
        c.put("name", name);
        c.put("trainable", true);
        l.putNull("registered_name");
        return l;
    }

    private static ObjectNode inputLayer(int t, int d) {
        ObjectNode l = layer("InputLayer", "input_layer");
        ArrayNode shape = ((ObjectNode) l.get("config")).putArray("batch_shape");
        shape.addNull();
        shape.add(t);
        shape.add(d);
        return l;
    }

    private static ObjectNode model(String cls, String name, ObjectNode... layers) {
        ObjectNode m = JSON.createObjectNode();
        m.put("module", "keras");
        m.put("class_name", cls);
        ObjectNode c = m.putObject("config");
        c.put("name", name);
        ArrayNode ls = c.putArray("layers");
        for (ObjectNode l : layers) {
            ls.add(l);
        }
        m.putNull("registered_name");
        return m;
    }

    /** Keras 3 functional wiring: each layer called once on the previous one's output. */
    private static void chainFunctional(ObjectNode model) {
        ArrayNode ls = (ArrayNode) model.get("config").get("layers");
        String prev = null;
        for (int i = 0; i < ls.size(); i++) {
            ObjectNode l = (ObjectNode) ls.get(i);
            String name = l.get("config").get("name").asText();
            l.put("name", name);
            ArrayNode nodes = l.putArray("inbound_nodes");
            if (prev != null) {
                ObjectNode node = nodes.addObject();
                ObjectNode tensor = node.putArray("args").addObject();
                tensor.put("class_name", "__keras_tensor__");
                ArrayNode history = tensor.putObject("config").putArray("keras_history");
                history.add(prev).add(0).add(0);
                node.putObject("kwargs");
            }
            prev = name;
        }
    }

    private static float[][] rows(float[] data, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(data, r * cols, out[r], 0, cols);
        }
        return out;
    }

    /** Copies one legacy weight (model_weights/L/L/w:0) to a Keras 3 vars dataset. */
    private static void copy(HdfFile legacy, String legacyPath, WritableGroup vars, String index) {
        io.jhdf.api.Dataset d = legacy.getDatasetByPath(legacyPath);
        int[] dims = d.getDimensions();
        float[] flat = (float[]) d.getDataFlat();
        vars.putDataset(index, dims.length == 1 ? flat : rows(flat, dims[0], dims[1]));
    }

    /** torch-gru-motions' weights as a Keras 3 model.weights.h5; {@code prefix} is Normalization's extra layer. */
    private Path gruWeights(String file, boolean withNormalization) {
        Path out = tmp.resolve(file);
        try (HdfFile legacy = new HdfFile(Fixtures.conformance("cases/torch-gru-motions/model.h5"));
                WritableHdfFile w = HdfFile.write(out)) {
            WritableGroup layers = w.putGroup("layers");
            WritableGroup gru = layers.putGroup("gru").putGroup("cell").putGroup("vars");
            copy(legacy, "model_weights/gru_1/gru_1/kernel:0", gru, "0");
            copy(legacy, "model_weights/gru_1/gru_1/recurrent_kernel:0", gru, "1");
            copy(legacy, "model_weights/gru_1/gru_1/bias:0", gru, "2");
            WritableGroup dense = layers.putGroup("dense").putGroup("vars");
            copy(legacy, "model_weights/dense_1/dense_1/kernel:0", dense, "0");
            copy(legacy, "model_weights/dense_1/dense_1/bias:0", dense, "1");
            if (withNormalization) {
                WritableGroup norm = layers.putGroup("normalization").putGroup("vars");
                norm.putDataset("0", new float[] {0.5f, -1f, 0f, 2f, 0.25f, -0.5f});
                norm.putDataset("1", new float[] {4f, 1f, 0.25f, 9f, 1f, 16f});
                norm.putDataset("2", new long[] {100L});
            }
        }
        return out;
    }

    private static ObjectNode gruLayer() {
        ObjectNode gru = layer("GRU", "gru");
        ObjectNode c = (ObjectNode) gru.get("config");
        c.put("units", 20);
        c.put("activation", "tanh");
        c.put("recurrent_activation", "sigmoid");
        c.put("use_bias", true);
        c.put("return_sequences", false);
        c.put("go_backwards", false);
        c.put("stateful", false);
        c.put("reset_after", true);
        return gru;
    }

    private static ObjectNode denseLayer() {
        ObjectNode dense = layer("Dense", "dense");
        ObjectNode c = (ObjectNode) dense.get("config");
        c.put("units", 4);
        c.put("activation", "softmax");
        c.put("use_bias", true);
        return dense;
    }

    private Path archive(String name, ObjectNode config, Path weights, String kerasVersion) throws IOException {
        Path out = tmp.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            put(zip, "metadata.json", ("{\"keras_version\": \"" + kerasVersion + "\", \"date_saved\": \"x\"}")
                    .getBytes(StandardCharsets.UTF_8));
            put(zip, "config.json", JSON.writeValueAsBytes(config));
            put(zip, "model.weights.h5", Files.readAllBytes(weights));
        }
        return out;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static void assertMatchesGruCase(Model m) {
        Path dir = Fixtures.conformance("cases/torch-gru-motions");
        Npy.NpyArray input = Npy.read(dir.resolve("input.npy"));
        Npy.NpyArray expected = Npy.read(dir.resolve("expected.npy"));
        float[][][] seqs = Fixtures.sequences(input);
        for (int i = 0; i < seqs.length; i++) {
            double err = Forward.maxAbsDiff(Forward.predict(m, seqs[i]), Fixtures.item(expected, i));
            assertTrue(err < 1e-4, "sequence " + i + ": " + err);
        }
    }

    @Test
    void kerasArchiveSequential() throws IOException {
        ObjectNode config = model("Sequential", "motions", inputLayer(100, 6), gruLayer(), denseLayer());
        Path file = archive("motions.keras", config, gruWeights("model.weights.h5", false), "3.6.0");
        Model m = KerasImport.load(file);
        assertEquals("motions", m.info().name());
        assertEquals("keras 3.6.0 (motions.keras)", m.info().source());
        assertEquals(100, m.timesteps());
        assertEquals(6, m.inputSize());
        assertTrue(assertInstanceOf(Gru.class, m.layers().get(0)).resetAfter());
        assertEquals(1764, m.paramCount());
        assertMatchesGruCase(m);
    }

    @Test
    void kerasArchiveFunctional() throws IOException {
        ObjectNode config = model("Functional", "motions_f", inputLayer(-1, 6), gruLayer(), denseLayer());
        ((ArrayNode) config.get("config").get("layers").get(0).get("config").get("batch_shape")).set(1,
                JSON.nullNode());
        chainFunctional(config);
        Path file = archive("f.keras", config, gruWeights("model.weights.h5", false), "3.3.3");
        Model m = KerasImport.load(file);
        assertEquals(-1, m.timesteps());
        assertMatchesGruCase(m);
    }

    @Test
    void weightsH5PlusJson() throws IOException {
        ObjectNode config = model("Sequential", "motions", inputLayer(100, 6), gruLayer(), denseLayer());
        Path json = tmp.resolve("motions.json");
        Files.write(json, JSON.writeValueAsBytes(config));
        Path weights = gruWeights("motions.weights.h5", false);
        Model m = KerasImport.load(json, weights);
        assertEquals("keras (motions.json + motions.weights.h5)", m.info().source());
        assertMatchesGruCase(m);
    }

    @Test
    void normalizationFromKeras3Vars() throws IOException {
        ObjectNode norm = layer("Normalization", "normalization");
        ((ObjectNode) norm.get("config")).put("axis", -1).put("invert", false);
        ObjectNode config = model("Sequential", "n", inputLayer(100, 6), norm, gruLayer(), denseLayer());
        Path file = archive("n.keras", config, gruWeights("model.weights.h5", true), "3.6.0");
        Model m = KerasImport.load(file);
        Normalization n = assertInstanceOf(Normalization.class, m.layers().get(0));
        assertEquals(2.0f, n.variance()[0] / 2, 1e-6f);
        // Normalization then the GRU equals the GRU alone on standardised input.
        float[] mean = n.mean();
        float[] var = n.variance();
        float[][] x = new float[5][6];
        float[][] z = new float[5][6];
        for (int t = 0; t < 5; t++) {
            for (int j = 0; j < 6; j++) {
                x[t][j] = (t - 2) * 0.3f + j * 0.1f;
                z[t][j] = (float) ((x[t][j] - mean[j]) / Math.sqrt(var[j]));
            }
        }
        ObjectNode plain = model("Sequential", "p", inputLayer(100, 6), gruLayer(), denseLayer());
        Model without = KerasImport.load(archive("p.keras", plain, gruWeights("w2.weights.h5", false), "3.6.0"));
        assertTrue(Forward.maxAbsDiff(Forward.predict(m, x), Forward.predict(without, z)) < 1e-6);
        assertEquals(1764 + 13, m.paramCount());
    }

    @Test
    void hardSigmoidFollowsTheKerasVersion() throws IOException {
        // kerasjs-LSTM-0's weights (units 4, features 6) in Keras 3's layout.
        Path weights = tmp.resolve("lstm.weights.h5");
        try (HdfFile legacy = new HdfFile(Fixtures.conformance("cases/kerasjs-LSTM-0/model.h5"));
                WritableHdfFile w = HdfFile.write(weights)) {
            WritableGroup vars = w.putGroup("layers").putGroup("lstm").putGroup("cell").putGroup("vars");
            copy(legacy, "model_weights/lstm_1/lstm_1/kernel:0", vars, "0");
            copy(legacy, "model_weights/lstm_1/lstm_1/recurrent_kernel:0", vars, "1");
            copy(legacy, "model_weights/lstm_1/lstm_1/bias:0", vars, "2");
        }
        ObjectNode lstm = layer("LSTM", "lstm");
        ((ObjectNode) lstm.get("config")).put("units", 4).put("recurrent_activation", "hard_sigmoid");
        ObjectNode config = model("Sequential", "s", inputLayer(3, 6), lstm);
        Model k3 = KerasImport.load(archive("k3.keras", config, weights, "3.1.0"));
        assertEquals(Activation.HARD_SIGMOID_KERAS3, ((Lstm) k3.layers().get(0)).recurrentActivation());
        Model k2 = KerasImport.load(archive("k2.keras", config, weights, "2.15.0"));
        assertEquals(Activation.HARD_SIGMOID, ((Lstm) k2.layers().get(0)).recurrentActivation());
        // And the Keras 2 reading reproduces the Keras 2 case.
        Path dir = Fixtures.conformance("cases/kerasjs-LSTM-0");
        float[][] in = Fixtures.sequences(Npy.read(dir.resolve("input.npy")))[0];
        float[][] want = Fixtures.item(Npy.read(dir.resolve("expected.npy")), 0);
        assertTrue(Forward.maxAbsDiff(Forward.predict(k2, in), want) < 5e-5);
        assertTrue(Forward.maxAbsDiff(Forward.predict(k3, in), want) > 1e-4, "Keras 3's hard_sigmoid differs");
    }

}
