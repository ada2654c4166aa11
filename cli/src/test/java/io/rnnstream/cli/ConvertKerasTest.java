package io.rnnstream.cli;

import static io.rnnstream.cli.RnnstreamTest.oneErrorLine;
import static io.rnnstream.cli.RnnstreamTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.cli.RnnstreamTest.Run;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.keras.KerasImport;
import io.rnnstream.model.layers.Lstm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rnnstream convert MODEL --out x.h5}: the Keras export, and back again. */
class ConvertKerasTest {
    @TempDir
    Path dir;

    @Test
    void convertToKerasAndBackGivesTheSameOutputs() {
        Model model = RnnstreamTest.mnistModel();
        Path rnns = dir.resolve("mnist.rnns");
        ModelFile.write(model, rnns);
        Path h5 = dir.resolve("keras/mnist.h5");
        Run r = run("convert", rnns.toString(), "--out", h5.toString(), "--class-names", "0,1,2,3,4,5,6,7,8,9");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("Keras 2.15.0 full-model HDF5"), r.out());
        assertTrue(r.out().contains("no place for the model's version and class names"), r.out());
        Model back = KerasImport.load(h5);
        assertEquals("mnist-simplernn", back.info().name());
        float[][] x = new float[28][];
        for (int t = 0; t < 28; t++) {
            x[t] = RnnstreamTest.randomInput(t, 28);
        }
        assertArrayEquals(Forward.predict(model, x)[0], Forward.predict(back, x)[0], 0f);

        // ... and the Keras file converts back to a native file with the same weights.
        Path again = dir.resolve("again.rnns");
        Run r2 = run("convert", h5.toString(), "--out", again.toString());
        assertEquals(0, r2.rc(), r2.err());
        assertEquals(model.sha256(), ModelFile.read(again).withInfo(model.info()).sha256());
    }

    @Test
    void aModelKerasCannotHoldIsOneErrorLine() {
        Random rnd = new Random(5);
        Model mixed = new Model(new ModelInfo("mixed", 1, List.of(), "test"), -1, List.of(
                new Lstm("lstm", 3, 4, Activation.TANH, Activation.HARD_SIGMOID, true, true, false,
                        RnnstreamTest.rand(rnd, 3, 16), RnnstreamTest.rand(rnd, 4, 16), RnnstreamTest.rand(rnd, 16)),
                new Lstm("lstm_1", 4, 4, Activation.TANH, Activation.HARD_SIGMOID_KERAS3, true, false, false,
                        RnnstreamTest.rand(rnd, 4, 16), RnnstreamTest.rand(rnd, 4, 16), RnnstreamTest.rand(rnd, 16))));
        Path rnns = dir.resolve("mixed.rnns");
        ModelFile.write(mixed, rnns);
        Path h5 = dir.resolve("mixed.h5");
        Run r = run("convert", rnns.toString(), "--out", h5.toString());
        assertEquals(1, r.rc());
        assertTrue(oneErrorLine(r).contains("hard_sigmoid"), r.err());
        assertFalse(Files.exists(h5));
    }
}
