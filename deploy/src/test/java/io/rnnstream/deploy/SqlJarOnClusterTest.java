package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL jar on the standalone cluster, as a user without a SQL Client would run it: the shaded
 * {@code rnnstream-sql-*-sql.jar} uploaded through the REST API and run with its
 * {@code io.rnnstream.sql.SqlJob} entry point on a script (a JSON file table → RNN_CLASSIFY → a JSON file
 * table). The cluster's classpath is a distribution's lib/ (table stack and flink-json included, none of
 * rnnstream's classes): the function, the model code and its readers come in the jar. Every output row
 * equals {@link Forward#sequences} (what {@code predict --sequences} prints) bit for bit. About 30 s.
 */
class SqlJarOnClusterTest {
    // Numbers as the decimal text they were written in: a float read through a double could round twice.
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final int KEYS = 12;
    static final int STEPS = 28;

    @TempDir
    Path dir;

    static float[][] sequence(int key, int features) {
        Random r = new Random(1000L + key);
        float[][] x = new float[STEPS][features];
        for (float[] row : x) {
            for (int i = 0; i < features; i++) {
                row[i] = r.nextFloat();
            }
        }
        return x;
    }

    @Test
    void theSqlJarRunsRnnClassifyOnTheClusterBitForBit() throws Exception {
        Path modelFile = Path.of("..", "models", "mnist-simplernn.rnns").toAbsolutePath().normalize();
        Model model = ModelLoader.load(modelFile);

        // Keys interleaved, each key's steps 2j and 2j+1 swapped: the function orders them by step.
        Map<String, float[][]> inputs = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            inputs.put("k" + k, sequence(k, model.inputSize()));
        }
        for (int s = 0; s < STEPS; s++) {
            for (int k = 0; k < KEYS; k++) {
                int step = s ^ 1; // 1, 0, 3, 2, …: STEPS is even
                float[] x = inputs.get("k" + k)[step];
                lines.add(JSON.writeValueAsString(Map.of("key", "k" + k, "step", step, "features", x,
                        "end", step == STEPS - 1)));
            }
        }
        Path events = dir.resolve("events.json");
        Files.write(events, lines);
        Path out = dir.resolve("outputs");
        Path script = dir.resolve("job.sql");
        Files.writeString(script, String.join("\n",
                // The file sink commits its files at checkpoints; the last one when the input ends.
                "SET 'execution.checkpointing.interval' = '1 s';",
                "CREATE TABLE events (`key` STRING, step INT, features ARRAY<FLOAT>, `end` BOOLEAN) WITH (",
                "  'connector' = 'filesystem', 'path' = '" + events.toUri() + "', 'format' = 'json');",
                "CREATE TABLE outputs (`key` STRING, step INT, output ARRAY<FLOAT>, `final` BOOLEAN, error STRING)",
                "  WITH ('connector' = 'filesystem', 'path' = '" + out.toUri() + "', 'format' = 'json');",
                "INSERT INTO outputs SELECT `key`, step, output, `final`, error FROM RNN_CLASSIFY(",
                "  input => TABLE events PARTITION BY `key`, model => '" + modelFile + "', uid => 'rnn-classify');"));

        runToTheEnd(StandaloneCluster.Settings.of(dir.resolve("cluster"), 1, 2), script);

        Map<String, Integer> next = new HashMap<>();
        int rows = 0;
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith("."))
                    .toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode r = JSON.readTree(line);
                    String key = r.get("key").asText();
                    assertTrue(r.get("error").isNull(), line);
                    int step = r.get("step").asInt();
                    assertEquals((int) next.getOrDefault(key, 0), step, key + ": in step order");
                    next.put(key, step + 1);
                    assertEquals(step == STEPS - 1, r.get("final").asBoolean(), line);
                    float[] got = output(r);
                    float[] want = Forward.sequences(model, inputs.get(key))[step];
                    assertArrayEquals(bits(want), bits(got), key + " step " + step);
                    rows++;
                }
            }
        }
        assertEquals(KEYS * STEPS, rows, "one output per event");
    }

    /** The SQL jar as the build leaves it. */
    static Path sqlJar() {
        Path jar = Path.of(System.getProperty("rnnstream.sql.jar", "../sql/target/rnnstream-sql-sql.jar"));
        assertTrue(Files.isRegularFile(jar), "no SQL jar at " + jar + ": mvn -B -o -q package -DskipTests -pl sql -am");
        return jar;
    }

    /**
     * Starts a cluster, uploads the SQL jar, runs {@code SqlJob} on {@code script} at parallelism 2, and
     * waits until the job has finished (failing with the job's exceptions if it did not).
     */
    static void runToTheEnd(StandaloneCluster.Settings settings, Path script) throws Exception {
        try (StandaloneCluster c = StandaloneCluster.start(settings, Duration.ofSeconds(90))) {
            FlinkRest rest = new FlinkRest(c.restUrl());
            String jar = rest.uploadJar(sqlJar());
            String job = rest.run(jar, new FlinkRest.RunRequest("io.rnnstream.sql.SqlJob", List.of(script.toString()),
                    2, null, false));
            String state = rest.awaitState(job, Duration.ofMinutes(3), "FINISHED", "FAILED", "CANCELED");
            assertEquals("FINISHED", state, () -> {
                try {
                    return rest.exceptions(job).toString();
                } catch (Exception e) {
                    return e.toString();
                }
            });
        }
    }

    /** An output row's floats, from the decimal text they were written in. */
    static float[] output(JsonNode row) {
        float[] got = new float[row.get("output").size()];
        for (int i = 0; i < got.length; i++) {
            got[i] = Float.parseFloat(row.get("output").get(i).decimalValue().toString());
        }
        return got;
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Float.floatToRawIntBits(x[i]);
        }
        return b;
    }
}
