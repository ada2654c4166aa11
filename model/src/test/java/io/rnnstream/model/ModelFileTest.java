package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.layers.Layer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path dir;

    private static void assertBitIdentical(float[][] a, float[][] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i].length, b[i].length);
            for (int j = 0; j < a[i].length; j++) {
                assertEquals(Float.floatToRawIntBits(a[i][j]), Float.floatToRawIntBits(b[i][j]),
                        "step " + i + " unit " + j);
            }
        }
    }

    private Model roundTrip(Model m) throws Exception {
        Path p = dir.resolve(m.info().name() + ".rnns");
        ModelFile.write(m, p);
        assertTrue(ModelFile.isNative(p));
        Model back = ModelFile.read(p);
        assertArrayEquals(ModelFile.encode(m), ModelFile.encode(back), "same model, same bytes");
        assertArrayEquals(Files.readAllBytes(p), ModelFile.encode(back));
        assertEquals(m.sha256(), back.sha256());
        assertEquals(m.id(), back.id());
        assertEquals(m.info(), back.info());
        assertEquals(m.timesteps(), back.timesteps());
        assertEquals(m.layers().size(), back.layers().size());
        for (int i = 0; i < m.layers().size(); i++) {
            Layer a = m.layers().get(i);
            Layer b = back.layers().get(i);
            assertEquals(a.type(), b.type());
            assertEquals(a.name(), b.name());
            assertEquals(a.config(), b.config());
            assertEquals(a.weights(), b.weights());
        }
        return back;
    }

    @Test
    void mnistRoundTripIsBitIdentical() throws Exception {
        Model m = TestModels.mnist(1);
        Model back = roundTrip(m);
        float[][] x = TestModels.sequence(2, 28, 28);
        assertBitIdentical(Forward.sequences(m, x), Forward.sequences(back, x));
        assertBitIdentical(Forward.predict(m, x), Forward.predict(back, x));
        assertTrue(m.id().matches("mnist-simplernn@1-[0-9a-f]{12}"), m.id());
    }

    @Test
    void everyCausalLayerTypeRoundTrips() throws Exception {
        Model m = TestModels.everything(3);
        Model back = roundTrip(m);
        float[][] x = TestModels.sequence(4, 9, 6);
        Arrays.fill(x[3], 0f); // a masked step
        assertBitIdentical(Forward.sequences(m, x), Forward.sequences(back, x));
        List<String> types = back.layers().stream().map(Layer::type).toList();
        assertEquals(List.of("Masking", "Normalization", "SimpleRNN", "LSTM", "GRU", "GRU", "Dropout", "Dense"), types);
    }

    @Test
    void flattenAndGoBackwardsRoundTrip() throws Exception {
        Model f = TestModels.flatten(5);
        Model fb = roundTrip(f);
        float[][] x = TestModels.sequence(6, 5, 3);
        assertBitIdentical(Forward.predict(f, x), Forward.predict(fb, x));
        Model g = TestModels.backwards(7);
        Model gb = roundTrip(g);
        float[][] y = TestModels.sequence(8, 6, 3);
        assertBitIdentical(Forward.sequences(g, y), Forward.sequences(gb, y));
    }

    @Test
    void encodingIsDeterministicAndShaIsTheFileHash() throws Exception {
        byte[] a = ModelFile.encode(TestModels.mnist(1));
        byte[] b = ModelFile.encode(TestModels.mnist(1));
        assertArrayEquals(a, b);
        String fileSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(a));
        assertEquals(fileSha, ModelFile.sha256Hex(TestModels.mnist(1)));
        assertFalse(Arrays.equals(a, ModelFile.encode(TestModels.mnist(2))), "other weights, other bytes");
        Model renamed = TestModels.mnist(1).withInfo(TestModels.mnist(1).info().withVersion(2));
        assertFalse(renamed.sha256().equals(TestModels.mnist(1).sha256()));
    }

    @Test
    void layoutIsAsDocumented() {
        byte[] bytes = ModelFile.encode(TestModels.mnist(1));
        assertArrayEquals("RNNSTRM\n".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 8));
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, bb.getInt(8));
        int h = bb.getInt(12);
        assertEquals(0, (16 + h) % 8, "data starts 8-byte aligned");
        String header = ModelFile.headerText(bytes);
        assertTrue(header.contains("\"format_version\" : 1"), header);
        assertTrue(header.contains("\"type\" : \"SimpleRNN\""), header);
        int floats = 28 * 128 + 128 * 128 + 128 + 128 * 10 + 10;
        assertEquals(16 + h + 4L * floats + 32, bytes.length);
        // the first float of the data section is simple_rnn/kernel[0][0]
        float k00 = TestModels.mnist(1).layers().get(0).weights().get("kernel").data()[0];
        assertEquals(Float.floatToRawIntBits(k00), Float.floatToRawIntBits(bb.getFloat(16 + h)));
    }

    // ---------------------------------------------------------------------------- refusals

    private static ModelException refuse(byte[] bytes) {
        return assertThrows(ModelException.class, () -> ModelFile.decode(bytes, "m.rnns"));
    }

    /** Replaces the header and recomputes the checksum: a well-formed file with bad contents. */
    static byte[] withHeader(byte[] bytes, String newHeader) throws Exception {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int h = bb.getInt(12);
        byte[] hb = newHeader.getBytes(StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(bytes, 16 + h, bytes.length - 32);
        ByteBuffer out = ByteBuffer.allocate(16 + hb.length + data.length + 32).order(ByteOrder.LITTLE_ENDIAN);
        out.put(bytes, 0, 12).putInt(hb.length).put(hb).put(data);
        byte[] o = out.array();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(o, 0, o.length - 32);
        System.arraycopy(md.digest(), 0, o, o.length - 32, 32);
        return o;
    }

    @Test
    void refusesWhatIsNotAModelFile() {
        assertTrue(refuse("hello world, not a model".getBytes(StandardCharsets.UTF_8)).getMessage()
                .contains("not an rnnstream model file"));
        byte[] hdf5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
        assertTrue(refuse(hdf5).getMessage().contains("looks like a Keras file"));
        byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0};
        assertTrue(refuse(zip).getMessage().contains("looks like a Keras file"));
        assertTrue(refuse(new byte[0]).getMessage().contains("empty"));
    }

    @Test
    void refusesACorruptedFile() {
        byte[] bytes = ModelFile.encode(TestModels.mnist(1));
        byte[] flipped = bytes.clone();
        flipped[flipped.length - 100] ^= 1; // a weight
        String msg = refuse(flipped).getMessage();
        assertTrue(msg.contains("the file is corrupted or was edited: checksum"), msg);
        byte[] edited = bytes.clone();
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("mnist-simplernn");
        edited[at] = 'M'; // the header
        assertTrue(refuse(edited).getMessage().contains("checksum"));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertTrue(refuse(longer).getMessage().contains("corrupted or was edited"));
    }

    @Test
    void refusesATruncatedFile() {
        byte[] bytes = ModelFile.encode(TestModels.mnist(1));
        for (int len : new int[] {5, 12, 100, bytes.length / 2, bytes.length - 1}) {
            String msg = refuse(Arrays.copyOf(bytes, len)).getMessage();
            assertTrue(msg.contains("is truncated"), len + ": " + msg);
        }
    }

    @Test
    void refusesANewerFormat() {
        byte[] bytes = ModelFile.encode(TestModels.mnist(1));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        String msg = refuse(bytes).getMessage();
        assertTrue(msg.contains("written by a newer rnnstream, format 2; this one reads 1"), msg);
    }

    @Test
    void refusesInconsistentShapes() throws Exception {
        byte[] bytes = ModelFile.encode(TestModels.mnist(1));
        String header = ModelFile.headerText(bytes);
        // the RNN claims 64 units: its kernel (28, 128) no longer fits its settings
        String bad = header.replaceFirst("\"units\" : 128", "\"units\" : 64");
        String msg = refuse(withHeader(bytes, bad)).getMessage();
        assertTrue(msg.contains("simple_rnn/kernel has shape [28, 128]"), msg);
        assertTrue(msg.contains("inconsistent"), msg);
        // the Dense head claims 127 inputs: its kernel is still (128, 10)
        String chain = header.replaceFirst("\"input_size\" : 128", "\"input_size\" : 127");
        msg = refuse(withHeader(bytes, chain)).getMessage();
        assertTrue(msg.contains("dense/kernel has shape [128, 10]"), msg);
        // a weight's bytes lie beyond the data section
        String off = header.replaceFirst("\"offset\" : 0", "\"offset\" : 99999996");
        msg = refuse(withHeader(bytes, off)).getMessage();
        assertTrue(msg.contains("outside the data section"), msg);
    }

    @Test
    void refusesAnUnknownLayerType() throws Exception {
        byte[] bytes = ModelFile.encode(TestModels.mnist(1));
        String bad = ModelFile.headerText(bytes).replace("\"SimpleRNN\"", "\"Conv1D\"");
        String msg = refuse(withHeader(bytes, bad)).getMessage();
        assertTrue(msg.contains("unknown layer type 'Conv1D'"), msg);
    }

    @Test
    void refusesAMissingFile() {
        ModelException e = assertThrows(ModelException.class, () -> ModelFile.read(dir.resolve("nope.rnns")));
        assertTrue(e.getMessage().contains("not found"));
        assertFalse(ModelFile.isNative(dir.resolve("nope.rnns")));
    }
}
