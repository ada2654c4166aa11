package io.rnnstream.model.onnx;

import static io.rnnstream.model.onnx.OnnxWriter.attr;
import static io.rnnstream.model.onnx.OnnxWriter.attrInts;
import static io.rnnstream.model.onnx.OnnxWriter.floatTensor;
import static io.rnnstream.model.onnx.OnnxWriter.int64Tensor;
import static io.rnnstream.model.onnx.OnnxWriter.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.testing.TestTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files and graphs rnnstream cannot stream: each is one line that names the node, the op
 * and why, fast, and never an out-of-memory error from a size written in the file.
 */
class OnnxImportErrorsTest {
    static final int D = 3;
    static final int H = 4;

    @TempDir
    Path tmp;

    /**
     * Initializers are looked up by name and a later one wins, so an edit replaces one by adding it.
     * An LSTM(D, H) → Linear(H, 2) → Softmax graph laid out as torch.onnx.export writes it
     * (batch_first); {@code edit} changes it before it is written.
     */
    static final class Graph {
        final List<OnnxWriter> nodes = new ArrayList<>();
        final List<OnnxWriter> inits = new ArrayList<>();
        final List<OnnxWriter> inputs = new ArrayList<>(List.of(OnnxWriter.floatValue("x", "batch", "time", D)));
        final List<OnnxWriter> outputs = new ArrayList<>(List.of(OnnxWriter.floatValue("y", "batch", "time", 2)));
        final Random rnd = new Random(7);
        List<OnnxWriter> lstmAttrs = new ArrayList<>(List.of(attr("hidden_size", (long) H)));
        List<String> lstmInputs = new ArrayList<>(List.of("xt", "W", "R", "B", "", "", ""));
        String rShapeOverride;

        float[] random(int n) {
            return draw(rnd, n);
        }

        Graph() {
            inits.add(floatTensor("W", random(4 * H * D), 1, 4 * H, D));
            inits.add(floatTensor("R", random(4 * H * H), 1, 4 * H, H));
            inits.add(floatTensor("B", random(8 * H), 1, 8 * H));
            inits.add(floatTensor("head.w", random(H * 2), H, 2));
            inits.add(floatTensor("head.b", random(2), 2));
            inits.add(int64Tensor("one", new long[] {1}, 1));
        }

        byte[] bytes() {
            nodes.add(0, node("Transpose", "/rnn/Transpose", List.of("x"), List.of("xt"), attrInts("perm", 1, 0, 2)));
            nodes.add(1, node("LSTM", "/rnn/LSTM", lstmInputs, List.of("Y", "Yh", "Yc"),
                    lstmAttrs.toArray(OnnxWriter[]::new)));
            nodes.add(2, node("Squeeze", "/rnn/Squeeze", List.of("Y", "one"), List.of("Ys")));
            nodes.add(3, node("Transpose", "/rnn/Transpose_1", List.of("Ys"), List.of("Yb"), attrInts("perm", 1, 0, 2)));
            nodes.add(4, node("MatMul", "/head/MatMul", List.of("Yb", "head.w"), List.of("z")));
            nodes.add(5, node("Add", "/head/Add", List.of("head.b", "z"), List.of("zb")));
            nodes.add(6, node("Softmax", "/Softmax", List.of("zb"), List.of("y"), attr("axis", -1L)));
            return OnnxWriter.model(7, 14, "pytorch", "1.13.0", OnnxWriter.graph("torch_jit", nodes, inits, inputs,
                    outputs));
        }
    }

    static float[] draw(Random rnd, int n) {
        return TestTensors.uniform(rnd, 1f, n).data();
    }

    static Model read(byte[] bytes) {
        return OnnxImport.read(bytes, "m.onnx", "m", "m.onnx");
    }

    static Model read(Consumer<Graph> edit) {
        Graph g = new Graph();
        edit.accept(g);
        return read(g.bytes());
    }

    static String refusal(Consumer<Graph> edit) {
        ModelException e = assertThrows(ModelException.class, () -> read(edit));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theBaseGraphImports() {
        Model m = read(g -> { });
        assertEquals("LSTM(4) → Dense(2, softmax)", m.describe());
        assertEquals("rnn", m.layers().get(0).name());
        assertEquals("head", m.layers().get(1).name());
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.conformance("onnx-cases/onnx-lstm/model.onnx"));
        for (int cut : new int[] {whole.length / 2, whole.length - 3, 10}) {
            byte[] part = Arrays.copyOf(whole, cut);
            String m = assertThrows(ModelException.class, () -> read(part)).getMessage();
            assertTrue(m.contains("truncated") || m.contains("not a valid ONNX file"), m);
            assertFalse(m.contains("\n"), m);
        }
    }

    @Test
    void notProtobufAndEmpty() throws IOException {
        Path text = tmp.resolve("notes.onnx");
        Files.writeString(text, "these are my notes, not a model\n");
        String m = assertThrows(ModelException.class, () -> ModelLoader.load(text)).getMessage();
        assertTrue(m.contains("not a valid ONNX file") || m.contains("not an ONNX model"), m);
        Path empty = tmp.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(ModelException.class, () -> ModelLoader.load(empty)).getMessage()
                .contains("is empty"));
    }

    @Test
    void aLengthBeyondTheFileFailsFastWithoutAllocatingIt() {
        // ModelProto.graph (field 7) claiming 2 GB, in a 12-byte file.
        byte[] lying = {0x08, 0x07, 0x3a, (byte) 0xf0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x0a, 0, 0, 0};
        String m = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(ModelException.class, () -> read(lying)).getMessage());
        assertTrue(m.contains("truncated"), m);
    }

    @Test
    void aTensorWhoseDimsExceedItsBytes() {
        String m = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> refusal(g -> g.inits.add(
                floatTensor("W", new float[12], 1, 1L << 40, D))));
        assertTrue(m.contains("W 'W' has shape [1, 1099511627776, 3]"), m);
        m = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> refusal(g -> g.inits.add(
                int64Tensor("one", new long[] {1}, 1L << 20, 1L << 20))));
        assertTrue(m.contains("tensor 'one' declares [1048576, 1048576] values, more than rnnstream reads"), m);
        m = refusal(g -> g.inits.add(floatTensor("R", new float[10], 1, 4 * H, H)));
        assertTrue(m.contains("declares [1, 16, 4] = 64 float32 values (256 bytes) but holds 40 bytes"), m);
    }

    @Test
    void missingInitializer() {
        String m = refusal(g -> g.lstmInputs.set(2, "R_gone"));
        assertTrue(m.startsWith("m.onnx: node '/rnn/LSTM' (LSTM): its input 'R_gone' is missing"), m);
    }

    @Test
    void shapesThatDisagreeWithHiddenSize() {
        String m = refusal(g -> g.lstmAttrs.set(0, attr("hidden_size", 5L)));
        assertTrue(m.contains("node '/rnn/LSTM' (LSTM): W 'W' has shape [1, 16, 3] but hidden_size and the input's"
                + " features need [1, 20, 3]"), m);
        m = refusal(g -> g.inits.add(floatTensor("B", new float[4 * H], 1, 4 * H)));
        assertTrue(m.contains("B 'B' has shape [1, 16] but hidden_size needs [1, 32]"), m);
    }

    @Test
    void externalData() {
        OnnxWriter ext = new OnnxWriter().packedInt64(1, 1, 4 * H, H).int64(2, 1).string(8, "R")
                .message(13, new OnnxWriter().string(1, "location").string(2, "weights.bin")).int64(14, 1);
        String m = refusal(g -> g.inits.add(ext));
        assertTrue(m.contains("external data file") && m.contains("save_as_external_data=False"), m);
    }

    @Test
    void refusedSettingsNameTheNodeAndWhy() {
        assertTrue(refusal(g -> g.lstmAttrs.add(attr("direction", "reverse")))
                .contains("node '/rnn/LSTM' (LSTM): direction=reverse reads the future"));
        assertTrue(refusal(g -> g.lstmAttrs.add(attr("clip", 3f))).contains("(LSTM): has clip=3.0"));
        assertTrue(refusal(g -> g.lstmAttrs.add(attr("input_forget", 1L))).contains("input_forget=1"));
        assertTrue(refusal(g -> {
            g.inits.add(floatTensor("P", g.random(3 * H), 1, 3 * H));
            g.lstmInputs.set(6, "");
            g.lstmInputs.add("P");
        }).contains("peephole"));
        assertTrue(refusal(g -> {
            g.inits.add(floatTensor("h0", g.random(H), 1, 1, H));
            g.lstmInputs.set(5, "h0");
        }).contains("starts from a non-zero initial_h (the stored tensor 'h0')"));
        assertTrue(refusal(g -> {
            g.inputs.add(OnnxWriter.floatValue("h0", 1, "batch", H));
            g.lstmInputs.set(5, "h0");
        }).contains("the graph takes 2 inputs (x, h0)"));
    }

    @Test
    void zeroInitialStatesAndZeroPeepholesAreAccepted() {
        Model plain = read(g -> { });
        Model zeros = read(g -> {
            g.inits.add(floatTensor("h0", new float[2 * H], 2, 1, H));
            g.nodes.add(node("Slice", "/rnn/Slice", List.of("h0", "zero", "one", "zero"), List.of("h0s")));
            g.inits.add(int64Tensor("zero", new long[] {0}, 1));
            g.nodes.add(node("ConstantOfShape", "/rnn/Zeros", List.of("shape"), List.of("c0")));
            g.inits.add(floatTensor("P", new float[3 * H], 1, 3 * H));
            g.lstmInputs.set(5, "h0s");
            g.lstmInputs.set(6, "c0");
            g.lstmInputs.add("P");
        });
        float[][] x = {{0.1f, -0.2f, 0.3f}, {0.5f, 0.4f, -0.9f}};
        assertEquals(0.0, Forward.maxAbsDiff(Forward.sequences(plain, x), Forward.sequences(zeros, x)));
    }

    @Test
    void anyOtherOpOnThePathIsRefusedByName() {
        String m = refusal(g -> g.nodes.add(node("LeakyRelu", "/act/LeakyRelu", List.of("zb"), List.of("zl"))));
        assertTrue(m.contains("node '/act/LeakyRelu' (LeakyRelu): rnnstream does not import LeakyRelu"), m);
        m = refusal(g -> g.outputs.set(0, OnnxWriter.floatValue("Yc", 1, "batch", H)));
        assertTrue(m.contains("cell state"), m);
    }

    @Test
    void theLayoutAttributeAndFloat64Weights() {
        float[][] x = {{0.1f, -0.2f, 0.3f}, {0.5f, 0.4f, -0.9f}, {0f, 1f, -1f}};
        Model plain = read(g -> { });
        // layout=1: the LSTM reads (batch, time, features) itself and writes (batch, time, 1, units).
        Model batchFirst = read(g -> {
            g.lstmAttrs.add(attr("layout", 1L));
            g.lstmInputs.set(0, "x");
            g.inits.add(int64Tensor("one", new long[] {2}, 1));
        });
        assertTrue(batchFirst.layers().get(0) instanceof Lstm);
        assertEquals(0.0, Forward.maxAbsDiff(Forward.sequences(plain, x), Forward.sequences(batchFirst, x)));
        // float64 weights, in the typed double_data field and in raw_data; float32 in float_data.
        Model doubles = read(g -> {
            Random same = new Random(7);
            float[] w = draw(same, 4 * H * D);
            float[] r = draw(same, 4 * H * H);
            g.inits.add(doubleTensor("W", w, false, 1, 4 * H, D));
            g.inits.add(doubleTensor("R", r, true, 1, 4 * H, H));
            // float32 in the typed float_data field (4) rather than raw_data
            g.inits.add(new OnnxWriter().packedInt64(1, 1, 8 * H).int64(2, 1).string(8, "B")
                    .packedFloat(4, draw(same, 8 * H)));
        });
        assertEquals(0.0, Forward.maxAbsDiff(Forward.sequences(plain, x), Forward.sequences(doubles, x)));
    }

    private static OnnxWriter doubleTensor(String name, float[] v, boolean raw, long... dims) {
        OnnxWriter t = new OnnxWriter().packedInt64(1, dims).int64(2, 11).string(8, name);
        if (raw) {
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putDouble(f);
            }
            return t.bytes(9, b.array());
        }
        OnnxWriter typed = new OnnxWriter().packedInt64(1, dims).int64(2, 11).string(8, name);
        for (float f : v) {
            typed.bytes(10, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(f).array());
        }
        return typed;
    }
}
