package io.rnnstream.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.Summary;
import io.rnnstream.model.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "Same numbers as PyTorch": every case under {@code conformance/onnx-cases}, imported from its
 * {@code model.onnx}, reproduces the float64 PyTorch outputs within the case's tolerance, both as
 * the head at every step ({@code predict --sequences}) and as {@code predict} shapes it; and keeps
 * doing so after a round trip through the native file.
 */
class OnnxConformanceTest {
    static final String REFUSED = "refuse-bidirectional";

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(Fixtures.conformance("onnx-cases"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.equals(REFUSED))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void importedModelMatchesPyTorch(String name) throws IOException {
        Path dir = Fixtures.conformance("onnx-cases/" + name);
        JsonNode caseJson = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        double tolerance = caseJson.get("tolerance").asDouble();
        Model model = ModelLoader.load(dir.resolve("model.onnx"));
        assertTrue(model.whyNotCausal() == null, name + " streams");
        float[][][] seqs = Fixtures.sequences(Npy.read(dir.resolve("input.npy")));
        Npy.NpyArray steps = Npy.read(dir.resolve("expected_sequences.npy"));
        Npy.NpyArray last = Npy.read(dir.resolve("expected.npy"));
        boolean lastStepHead = caseJson.get("head_sees").asText().equals("last step");
        assertEquals(!lastStepHead, model.outputIsSequence(), "predict's shape follows the graph's output");
        Model native_ = ModelFile.decode(ModelFile.encode(model), "round trip");
        for (int i = 0; i < seqs.length; i++) {
            float[][] got = Forward.sequences(model, seqs[i]);
            double err = Forward.maxAbsDiff(got, Fixtures.item(steps, i));
            assertTrue(err <= tolerance, name + " sequence " + i + ": max abs error " + err + " > " + tolerance);
            float[][] predicted = Forward.predict(model, seqs[i]);
            float[][] lastRow = {predicted[predicted.length - 1]};
            assertTrue(Forward.maxAbsDiff(lastRow, Fixtures.item(last, i)) <= tolerance, name + " last step " + i);
            assertEquals(0.0, Forward.maxAbsDiff(got, Forward.sequences(native_, seqs[i])), "native round trip");
        }
        assertEquals(caseJson.get("param_count").asLong(), TorchParams.count(model), "PyTorch's param count");
    }

    @Test
    void summaryCountsAsPyTorchDoesAndSaysWhy() {
        Model m = ModelLoader.load(Fixtures.conformance("onnx-cases/onnx-lstm/model.onnx"));
        String plain = Summary.render(m, false);
        assertTrue(plain.contains(" Total params: 13,591 "), plain);
        assertTrue(plain.contains(" PyTorch params: 13,783 (sum(p.numel())"), plain);
        String explained = Summary.render(m, true);
        assertTrue(explained.contains("rnns.0: 4 × 48 × (20 + 48 + 2) = 13,440   [weight_ih (4·48 × 20) + weight_hh"
                + " (4·48 × 48) + bias_ih + bias_hh (4·48 each; summed here into one Keras bias)]"), explained);
        assertTrue(explained.contains("head: 7 × (48 + 1) = 343   [nn.Linear: weight (7 × 48) + bias (7)]"), explained);
        Model keras = io.rnnstream.model.keras.KerasImport.load(
                Fixtures.conformance("cases/torch-mnist-simplernn128/model.h5"));
        assertFalse(Summary.render(keras, true).contains("PyTorch"), "only imported models get PyTorch's count");
    }

    @Test
    void aBidirectionalLayerIsRefusedNamingTheNode() {
        Path file = Fixtures.conformance("onnx-cases/" + REFUSED + "/model.onnx");
        ModelException e = assertThrows(ModelException.class, () -> ModelLoader.load(file));
        String m = e.getMessage();
        assertTrue(m.contains("node '/rnns.0/LSTM' (LSTM)"), m);
        assertTrue(m.contains("direction=bidirectional reads the future"), m);
        assertFalse(m.contains("\n"), m);
    }
}
