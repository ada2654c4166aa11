package io.rnnstream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainProgressTest {
    @Test
    void offATerminalTrainingPrintsOneLinePerEpochWithoutCarriageReturns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainProgress p = new TrainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        p.epochStart(1, 2, 10);
        for (int b = 1; b <= 10; b++) {
            p.batchEnd(1, b, 10, 0.5, 0.8, 1000);
        }
        p.epochEnd(new EpochStats(1, 0.5, 0.8, Double.NaN, Double.NaN, 1.5, 1000), 2);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("epoch 1/2  loss 0.5000  acc 0.8000  1.5 s  1000 ex/s\n", out);
    }
}
