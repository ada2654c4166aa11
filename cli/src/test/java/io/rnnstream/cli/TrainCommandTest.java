package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.keras.KerasImport;
import io.rnnstream.model.onnx.OnnxImport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tinyRunWritesTheReport() throws Exception {
        TrainCommand cmd = new TrainCommand();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        Path report = tmp.resolve("report");
        int code = new CommandLine(cmd).execute("--data", "mnist", "--layers", "GRU(8)", "--epochs", "1", "--batch",
                "32", "--limit", "1200", "--out", tmp.resolve("m.rnns").toString(), "--report", report.toString(),
                "--validation-split", "0.1", "--export-keras", tmp.resolve("keras/m.h5").toString(),
                "--export-onnx", tmp.resolve("onnx/m.onnx").toString());
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("test accuracy"), log);
        assertTrue(Files.exists(report.resolve("index.html")));
        // About 120 validation sequences: enough to calibrate, so the Keras export below carries the folded temperature.
        assertTrue(log.matches("(?s).*calibration on 1[12][0-9] validation sequences: temperature.*"), log);
        for (String png : new String[] {"loss.png", "accuracy.png", "accuracy-by-steps.png", "confusion.png",
            "decisions.png", "reliability.png", "ece-by-step.png"}) {
            assertTrue(Files.size(report.resolve(png)) > 1000, png);
        }
        JsonNode m = new ObjectMapper().readTree(report.resolve("metrics.json").toFile());
        assertEquals(2000, m.at("/data/test_sequences").asInt());
        assertEquals(10, m.at("/test/confusion_matrix").size());
        assertEquals(10, m.at("/test/per_class").size());
        assertEquals(28, m.at("/test/accuracy_by_timesteps").size());
        assertEquals(1, m.at("/training/epochs").size());
        assertEquals("every-step", m.at("/config/loss").asText());
        assertEquals(17, m.at("/test/decisions").size());
        assertEquals(17, m.at("/validation/decisions").size());
        assertEquals(28, m.at("/validation/ece_by_step_after").size());
        assertTrue(m.at("/training/seconds_per_epoch").asDouble() > 0);
        // ModelFile.write may not exist in this build yet: then the command says so in one line.
        assertTrue(code == 0 ? Files.exists(tmp.resolve("m.rnns")) : log.contains("cannot write"), log);
        if (code == 0) {
            // The Keras export reads back to the very same numbers as the native file.
            assertTrue(log.contains("keras: "), log);
            Model rnns = ModelFile.read(tmp.resolve("m.rnns"));
            Model h5 = KerasImport.load(tmp.resolve("keras/m.h5"));
            assertEquals(rnns.describe(), h5.describe());
            assertTrue(log.contains("onnx: "), log);
            Model onnx = OnnxImport.load(tmp.resolve("onnx/m.onnx"));
            assertEquals(rnns.describe(), onnx.describe());
            java.util.Random r = new java.util.Random(3);
            for (int s = 0; s < 3; s++) {
                float[][] x = new float[28][28];
                for (float[] row : x) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = r.nextFloat();
                    }
                }
                assertArrayEquals(Forward.predict(rnns, x)[0], Forward.predict(h5, x)[0], 0f);
                // The ONNX graph is per step (the head at every step): compare what the stream emits.
                assertArrayEquals(Forward.sequences(rnns, x)[27], Forward.sequences(onnx, x)[27], 0f);
            }
        }
    }

    @Test
    void badLayersGiveOneLine() {
        TrainCommand cmd = new TrainCommand();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(cmd);
        java.io.StringWriter lines = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(lines));
        int code = cl.execute("--data", "mnist", "--layers", "Conv(3)", "--out", tmp.resolve("m.rnns").toString());
        assertEquals(1, code);
        assertTrue(lines.toString().startsWith("error: ") && lines.toString().contains("unknown layer type 'Conv'"),
                lines.toString());
    }
}
