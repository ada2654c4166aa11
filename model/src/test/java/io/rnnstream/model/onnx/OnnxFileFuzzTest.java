package io.rnnstream.model.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.StepKernel;

/**
 * The ONNX reader against any bytes: a model that steps, or a one-line {@link ModelException}; no
 * allocation from a size the file claims. The seed corpus ({@code OnnxFileFuzzTestInputs/}: three
 * small PyTorch exports of the conformance cases) runs in every build; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class OnnxFileFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyOnnxBytesAreAModelOrAOneLineRefusal(byte[] bytes) {
        try {
            Model m = OnnxImport.read(bytes, "fuzz.onnx", "fuzz", "fuzz.onnx");
            assertNotNull(m.id());
            StepKernel k = new StepKernel(m);
            k.step(k.newState(), new float[m.inputSize()]);
        } catch (ModelException e) {
            assertFalse(e.getMessage() == null || e.getMessage().contains("\n"), "a refusal is one line: "
                    + e.getMessage());
        }
    }
}
