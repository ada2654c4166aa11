package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.replay.Interleaver;
import io.rnnstream.connectors.replay.ReplayEvent;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rnnstream stream} as a user runs it: a native model file, interleaved keys, one bad line;
 * every output equals {@code predict --sequences} bit for bit.
 */
class StreamEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void streamEqualsPredictSequencesBitForBit() throws Exception {
        Model model = RnnstreamTest.mnistModel();
        Path modelFile = dir.resolve("m.rnns");
        ModelFile.write(model, modelFile);
        Random r = new Random(3);
        List<Interleaver.Sequence> seqs = new ArrayList<>();
        Map<String, float[][]> byKey = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            float[][] steps = new float[5 + i % 4][28];
            for (float[] s : steps) {
                for (int j = 0; j < 28; j++) {
                    s[j] = (float) r.nextGaussian();
                }
            }
            seqs.add(new Interleaver.Sequence("s-" + i, steps));
            byKey.put("s-" + i, steps);
        }
        List<String> lines = new ArrayList<>();
        new Interleaver(seqs.iterator(), 4, 9, 1_700_000_000_000L, 10)
                .forEachRemaining((ReplayEvent e) -> lines.add(e.toJson()));
        lines.add(5, "{\"key\": \"bad\", \"features\": [1, 2]}");
        Path in = dir.resolve("in.jsonl");
        Files.write(in, lines);
        Path out = dir.resolve("out.jsonl");
        Path dlq = dir.resolve("dlq.jsonl");

        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        CommandLine cl = Rnnstream.commandLine();
        cl.setOut(new PrintWriter(so));
        cl.setErr(new PrintWriter(se));
        int rc = cl.execute("stream", "--model", modelFile.toString(), "--input-file", in.toString(),
                "--output-file", out.toString(), "--dlq-file", dlq.toString(), "--parallelism", "2");
        assertEquals(0, rc, se.toString());

        ObjectMapper json = new ObjectMapper();
        int outputs = 0;
        for (String line : Files.readAllLines(out)) {
            JsonNode n = json.readTree(line);
            String key = n.get("key").asText();
            int step = n.get("step").asInt();
            float[][] expected = Forward.sequences(model, byKey.get(key));
            float[] got = new float[n.get("output").size()];
            for (int j = 0; j < got.length; j++) {
                got[j] = Float.parseFloat(n.get("output").get(j).asText());
            }
            assertArrayEquals(expected[step], got, key + " step " + step);
            assertEquals(model.id(), n.get("model").asText());
            assertEquals(step == byKey.get(key).length - 1, n.get("final").asBoolean());
            outputs++;
        }
        assertEquals(lines.size() - 1, outputs);
        List<String> dead = Files.readAllLines(dlq);
        assertEquals(1, dead.size());
        assertTrue(dead.get(0).contains("\"key\":\"bad\""), dead.get(0));
        assertTrue(so.toString().contains("dead letters: 1"), so.toString());
    }
}
