package io.rnnstream.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and unsupported models fail with one clear ModelException, never a raw stack trace. */
class KerasImportErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GRU_CASE = Fixtures.conformance("cases/kerasjs-GRU-0/model.h5");

    @TempDir
    Path tmp;

    private static String message(org.junit.jupiter.api.function.Executable r) {
        return assertThrows(ModelException.class, r).getMessage();
    }

    /** kerasjs-GRU-0's model_config, to modify: Sequential [GRU gru_1 (units 4, input (None, 3, 6))]. */
    private static ObjectNode gruConfig() {
        try (HdfFile f = new HdfFile(GRU_CASE)) {
            return (ObjectNode) JSON.readTree((String) f.getAttribute("model_config").getData());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode layers(ObjectNode config) {
        return (ArrayNode) config.get("config").get("layers");
    }

    private Model loadJson(ObjectNode config) throws IOException {
        Path json = tmp.resolve("model.json");
        Files.write(json, JSON.writeValueAsBytes(config));
        return KerasImport.load(json, GRU_CASE);
    }

    @Test
    void truncatedH5() throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.conformance("keras-real/simple_rnn_tf_keras_2_model.h5"));
        Path half = tmp.resolve("half.h5");
        Files.write(half, Arrays.copyOf(full, full.length / 2));
        String m = message(() -> KerasImport.load(half));
        assertTrue(m.startsWith("cannot read " + half + ": not a valid HDF5 file ("), m);
    }

    /**
     * A weight whose header claims 600 million floats in an 8 KB file: refused from the claim, before jhdf
     * allocates 2.4 GB for it (it used to get them, or an out-of-memory error).
     */
    @Test
    void aWeightClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
        byte[] b = Files.readAllBytes(GRU_CASE);
        // The GRU kernel's dataspace, (6, 12), as dims and max dims: 8-byte little-endian lengths.
        byte[] shape = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(6).putLong(12)
                .array();
        byte[] claim = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(6)
                .putLong(100_000_000).array();
        int patched = 0;
        for (int i = 0; i + 16 <= b.length; i++) {
            if (Arrays.equals(b, i, i + 16, shape, 0, 16)) {
                System.arraycopy(claim, 0, b, i, 16);
                patched++;
            }
        }
        assertEquals(2, patched, "the kernel's dims and max dims");
        Path f = tmp.resolve("claims-gigabytes.h5");
        Files.write(f, b);
        String m = message(() -> KerasImport.load(f));
        assertTrue(m.contains("claims shape [6, 100000000] (2400000000 bytes) in a " + b.length + "-byte file"), m);
        assertTrue(m.endsWith("copy or save it again"), m);
    }

    @Test
    void anArchiveEntryThatInflatesPastItsBoundIsRefusedBeforeItIsAllRead() throws IOException {
        // 17 MiB of spaces deflate to ~17 KB: the archive's length says nothing of what it inflates to.
        Path bomb = tmp.resolve("bomb.keras");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("config.json"));
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 17; i++) {
                zip.write(spaces);
            }
            zip.closeEntry();
            zip.putNextEntry(new java.util.zip.ZipEntry("model.weights.h5"));
            zip.closeEntry();
        }
        assertTrue(Files.size(bomb) < 100_000, "the archive is small: " + Files.size(bomb));
        ModelException e = assertThrows(ModelException.class, () -> KerasImport.load(bomb));
        assertTrue(e.getMessage().contains("config.json inflates to more than 16777216 bytes"), e.getMessage());
    }

    @Test
    void randomBytes() throws IOException {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Path f = tmp.resolve("junk.h5");
        Files.write(f, junk);
        String m = message(() -> KerasImport.load(f));
        assertTrue(m.startsWith("cannot read " + f + ": not a valid HDF5 file ("), m);
    }

    @Test
    void emptyFileAndNotAZipKerasFile() throws IOException {
        Path empty = tmp.resolve("empty.h5");
        Files.write(empty, new byte[0]);
        assertTrue(message(() -> KerasImport.load(empty)).contains("not a valid HDF5 file"));
        Path k = tmp.resolve("m.keras");
        Files.write(k, new byte[] {1, 2, 3});
        assertTrue(message(() -> KerasImport.load(k)).contains("not a valid .keras archive"));
    }

    /** CI's fuzz round found it: a name the zip flags as UTF-8 but is not made the JDK throw unchecked. */
    @Test
    void anEntryNameThatIsNotUtf8() throws IOException {
        Path k = tmp.resolve("bad-name.keras");
        try (var in = KerasImportErrorsTest.class.getResourceAsStream(
                "KerasFileFuzzTestInputs/anyKerasArchiveBytesAreAModelOrAOneLineRefusal/entry-name-not-utf8.keras")) {
            Files.write(k, in.readAllBytes());
        }
        String m = message(() -> KerasImport.load(k));
        assertTrue(m.startsWith("cannot read " + k + ": not a valid .keras archive (an entry's name is not UTF-8"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void missingFile() {
        Path nope = tmp.resolve("nope.h5");
        assertEquals("model file not found: " + nope, message(() -> KerasImport.load(nope)));
        assertTrue(message(() -> KerasImport.load(tmp.resolve("m.json"), GRU_CASE)).contains("not found"));
    }

    @Test
    void jsonPlusLegacyWeightsMatchesTheFullModel() throws IOException {
        Model viaJson = loadJson(gruConfig());
        Model viaH5 = KerasImport.load(GRU_CASE);
        float[][] x = {{0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 0.6f}, {0, 0, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1}};
        assertEquals(0.0, Forward.maxAbsDiff(Forward.predict(viaH5, x), Forward.predict(viaJson, x)));
        assertEquals("keras 2.2.4 (model.json + model.h5)", viaJson.info().source());
        assertEquals("sequential_1", viaJson.info().name());
    }

    @Test
    void weightsOnlyFileAloneIsExplained() {
        Path w = tmp.resolve("only.weights.h5");
        try (io.jhdf.WritableHdfFile f = HdfFile.write(w)) {
            f.putGroup("layers").putGroup("dense").putGroup("vars").putDataset("0", new float[] {1f});
        }
        String m = message(() -> KerasImport.load(w));
        assertTrue(m.contains("holds weights only"), m);
    }

    @Test
    void jsonAloneIsExplained() throws IOException {
        ObjectNode config = gruConfig();
        Path json = tmp.resolve("cfg.json");
        Files.write(json, JSON.writeValueAsBytes(config));
        String m = message(() -> KerasImport.load(json));
        assertTrue(m.contains("without weights"), m);
    }

    @Test
    void unknownLayerType() {
        ObjectNode config = gruConfig();
        ObjectNode conv = layers(config).addObject();
        conv.put("class_name", "Conv1D");
        conv.putObject("config").put("name", "conv1d_1").put("filters", 3);
        String m = message(() -> loadJson(config));
        assertTrue(m.contains("Conv1D"), m);
        assertTrue(m.contains("conv1d_1"), m);
        assertTrue(m.contains("supported layer types: InputLayer, SimpleRNN, LSTM, GRU, Dense"), m);
    }

    @Test
    void bidirectionalRefused() {
        ObjectNode config = gruConfig();
        ObjectNode gru = (ObjectNode) layers(config).get(0);
        ObjectNode bi = JSON.createObjectNode();
        bi.put("class_name", "Bidirectional");
        ObjectNode c = bi.putObject("config");
        c.put("name", "bidirectional_1");
        c.set("layer", gru);
        layers(config).set(0, bi);
        String m = message(() -> loadJson(config));
        assertTrue(m.contains("Bidirectional"), m);
    }

    @Test
    void missingWeightNamesLayerAndWeight() {
        ObjectNode config = gruConfig();
        ((ObjectNode) layers(config).get(0).get("config")).put("name", "gru_9");
        String m = message(() -> loadJson(config));
        assertTrue(m.contains("layer 'gru_9' has no weight 'kernel'"), m);
    }

    @Test
    void shapeMismatchNamesTheWeight() {
        ObjectNode config = gruConfig();
        ((ObjectNode) layers(config).get(0).get("config")).put("units", 5);
        String m = message(() -> loadJson(config));
        assertTrue(m.contains("gru_1/kernel"), m);
    }

    @Test
    void branchingFunctionalRefused() throws IOException {
        String cfg = "{\"class_name\": \"Model\", \"config\": {\"name\": \"branchy\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\","
                + " \"batch_input_shape\": [null, 3, 6]}, \"inbound_nodes\": []},"
                + "{\"class_name\": \"GRU\", \"name\": \"gru_1\", \"config\": {\"name\": \"gru_1\", \"units\": 4},"
                + " \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Dense\", \"name\": \"d1\", \"config\": {\"name\": \"d1\", \"units\": 2},"
                + " \"inbound_nodes\": [[[\"gru_1\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Dense\", \"name\": \"d2\", \"config\": {\"name\": \"d2\", \"units\": 2},"
                + " \"inbound_nodes\": [[[\"gru_1\", 0, 0, {}]]]}]}}";
        String m = message(() -> loadJson((ObjectNode) JSON.readTree(cfg)));
        assertTrue(m.contains("not a single chain"), m);
        assertTrue(m.contains("'gru_1' feeds both"), m);
    }

    @Test
    void activationLayerFoldsIntoALinearDenseElseRefused() throws IOException {
        ObjectNode config = gruConfig();
        ObjectNode act = layers(config).addObject();
        act.put("class_name", "Activation");
        act.putObject("config").put("name", "act").put("activation", "relu");
        String m = message(() -> loadJson(config));
        assertTrue(m.contains("Activation(relu)"), m);
        // Activation("linear") is the identity and simply disappears.
        ((ObjectNode) act.get("config")).put("activation", "linear");
        assertEquals(1, loadJson(config).layers().size());
    }

    @Test
    void normalizationInvertRefused() {
        ObjectNode config = gruConfig();
        ObjectNode n = JSON.createObjectNode();
        n.put("class_name", "Normalization");
        n.putObject("config").put("name", "norm").put("invert", true);
        layers(config).insert(0, n);
        assertTrue(message(() -> loadJson(config)).contains("invert=True"));
    }

    @Test
    void keras1VersionInTheJson() {
        ObjectNode config = gruConfig();
        config.put("keras_version", "1.2.2");
        String m = message(() -> loadJson(config));
        assertTrue(m.contains("Keras 1.2.2"), m);
    }

    @Test
    void goBackwardsIsOfflineOnly() throws IOException {
        ObjectNode config = gruConfig();
        ((ObjectNode) layers(config).get(0).get("config")).put("go_backwards", true);
        Model m = loadJson(config);
        assertTrue(m.whyNotCausal().contains("go_backwards"));
    }
}
