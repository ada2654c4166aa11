package io.rnnstream.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class InitTest {
    @Test
    void orthogonalRowsAreOrthonormalForWideShapes() {
        int rows = 8;
        int cols = 32; // an LSTM(8)'s recurrent kernel
        float[] w = Init.orthogonal(new Random(1), rows, cols);
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < rows; b++) {
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += w[a * cols + j] * w[b * cols + j];
                }
                assertEquals(a == b ? 1 : 0, dot, 1e-5);
            }
        }
    }

    @Test
    void orthogonalSquareIsOrthogonal() {
        int n = 16;
        float[] w = Init.orthogonal(new Random(2), n, n);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += w[j * n + a] * w[j * n + b];
                }
                assertEquals(a == b ? 1 : 0, dot, 1e-5);
            }
        }
    }

    @Test
    void glorotUniformStaysWithinItsLimit() {
        float[] w = Init.glorotUniform(new Random(3), 28, 128);
        double limit = Math.sqrt(6.0 / (28 + 128));
        for (float v : w) {
            assertTrue(Math.abs(v) <= limit);
        }
    }
}
