package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.io.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rnnstream sql -f}: a script reads events (the stream's JSON lines) with the filesystem
 * connector and JSON format, classifies them with RNN_CLASSIFY and writes the records as JSON lines.
 */
class SqlCommandTest {
    static final Path CASE = Path.of("../model/src/test/resources/conformance/cases/kerasjs-SimpleRNN-0");

    @TempDir
    Path tmp;

    @Test
    void aScriptRunsRnnClassifyFromJsonFilesToJsonFiles() throws Exception {
        Path modelFile = CASE.resolve("model.h5").toAbsolutePath();
        Model model = ModelLoader.load(modelFile);
        Npy.NpyArray in = Npy.read(CASE.resolve("input.npy"));
        int t = in.shape()[1];
        int d = in.shape()[2];
        float[][] seq = new float[t][d];
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < t; s++) {
            System.arraycopy(in.data(), s * d, seq[s], 0, d);
            lines.add(RecordJson.event(new Event("k", s, 1_700_000_000_000L + s, seq[s], s == t - 1)));
        }
        Path events = Files.createDirectories(tmp.resolve("events"));
        Files.write(events.resolve("part-0.jsonl"), lines);
        Path outputs = tmp.resolve("outputs");
        Path script = tmp.resolve("job.sql");
        Files.writeString(script, """
                CREATE TABLE events (`key` STRING, step INT, features ARRAY<FLOAT>, `end` BOOLEAN)
                  WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');
                CREATE TABLE outputs (`key` STRING, step INT, output ARRAY<FLOAT>, label STRING, `final` BOOLEAN,
                    decision BOOLEAN, model STRING, error STRING)
                  WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');
                -- one statement per line is not required; comments are fine
                INSERT INTO outputs
                SELECT `key`, step, output, label, `final`, decision, model, error
                FROM RNN_CLASSIFY(input => TABLE events PARTITION BY `key`, model => '%s', uid => 'rnn');
                """.formatted(events.toUri(), outputs.toUri(), modelFile));
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new SqlCommand());
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("-f", script.toString(), "--checkpoint-dir", tmp.resolve("cp").toString());
        assertEquals(0, rc, err.toString());
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(outputs)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                out.addAll(Files.readAllLines(f));
            }
        }
        assertEquals(t, out.size(), out.toString());
        float[][] want = Forward.sequences(model, seq);
        ObjectMapper json = new ObjectMapper();
        for (String line : out) {
            JsonNode n = json.readTree(line);
            int s = n.get("step").asInt();
            assertTrue(n.get("error").isNull(), line);
            assertEquals(s == t - 1, n.get("final").asBoolean(), line);
            for (int u = 0; u < want[s].length; u++) {
                assertEquals(want[s][u], Float.parseFloat(n.get("output").get(u).asText()), line);
            }
        }
    }
}
