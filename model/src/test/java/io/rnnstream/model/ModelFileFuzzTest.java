package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The native model reader against any bytes: a model or a one-line {@link ModelException}, nothing
 * else (no other exception, no out-of-memory, no stall from a size the file claims). The seed
 * corpus ({@code ModelFileFuzzTestInputs/}) runs in every build; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class ModelFileFuzzTest {
    /** Raw bytes: what a truncated download or a wrong file looks like. */
    @FuzzTest(maxDuration = "30s")
    void anyBytesAreAModelOrAOneLineRefusal(byte[] bytes) {
        decodeOrRefuse(bytes);
    }

    /**
     * The same with the SHA-256 trailer recomputed, so mutations reach the header and weight
     * parsing behind the checksum instead of all stopping at it.
     */
    @FuzzTest(maxDuration = "30s")
    void bytesWithAValidChecksumAreAModelOrAOneLineRefusal(byte[] bytes) {
        if (bytes.length >= 48) {
            byte[] b = bytes.clone();
            byte[] sum = sha256(b, b.length - 32);
            System.arraycopy(sum, 0, b, b.length - 32, 32);
            decodeOrRefuse(b);
        }
    }

    private static void decodeOrRefuse(byte[] bytes) {
        try {
            Model m = ModelFile.decode(bytes, "fuzz input");
            assertNotNull(m.id());
            // A model that decodes must also step: a shape the reader let through must not fail later.
            StepKernel k = new StepKernel(m);
            float[] state = k.newState();
            k.step(state, new float[m.inputSize()]);
        } catch (ModelException e) {
            assertFalse(e.getMessage() == null || e.getMessage().contains("\n"), "a refusal is one line: "
                    + e.getMessage());
        }
    }

    private static byte[] sha256(byte[] b, int len) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(b, len));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
