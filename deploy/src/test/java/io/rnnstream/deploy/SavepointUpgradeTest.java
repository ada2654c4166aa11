package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.connectors.KeyedPayload;
import io.rnnstream.job.Pipeline;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upgrade safety: a savepoint taken by release 0.1.0 (committed under src/test/resources/savepoints)
 * restores in this build, at a different parallelism, and every key carries on from its saved hidden
 * state: the steps after the savepoint equal the step kernel over the whole sequence, bit for bit.
 *
 * <p>The savepoint's job is the production pipeline ({@link Pipeline}: the same operator uids,
 * the same state names and serializers) behind a generated source. To write a new one for a release:
 * {@code mvn -B -o -pl deploy -am verify -Dtest=SavepointUpgradeTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drnnstream.savepoint.write=$PWD/deploy/src/test/resources/savepoints/<NAME>}, then add NAME to {@link #SAVEPOINTS}.
 */
class SavepointUpgradeTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    /**
     * The savepoint fixtures, oldest first: release 0.1.0 (each key's state in three values), and main
     * from b4330e2 (one {@code SequenceMeta} value per key, written by Flink's PojoSerializer, before
     * the state got its own serializer).
     */
    static final String[] SAVEPOINTS = {"v0.1.0", "pojo-b4330e2"};
    static final int KEYS = 20;
    static final int STEPS = 30;
    static final ObjectMapper JSON = new ObjectMapper();
    static final ConcurrentLinkedQueue<String> OUT = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> DEAD = new ConcurrentLinkedQueue<>();

    @TempDir
    Path tmp;

    static float[] features(int key, int step) {
        Random r = new Random(31L * key + step);
        return new float[] {r.nextFloat() - 0.5f, r.nextFloat() - 0.5f, r.nextFloat() - 0.5f};
    }

    /** Event i: key i % KEYS, step i / KEYS; an index past the data set is an empty line (never sent). */
    static String event(long i) {
        int k = (int) (i % KEYS);
        int s = (int) (i / KEYS);
        float[] x = features(k, s);
        return "{\"key\":\"k" + k + "\",\"step\":" + s + ",\"features\":[" + x[0] + "," + x[1] + "," + x[2]
                + "],\"end\":" + (s == STEPS - 1) + "}";
    }

    static StreamGraph job(Model model, double eventsPerSecond, int parallelism) {
        return job(model, eventsPerSecond, parallelism, "hashmap");
    }

    static StreamGraph job(Model model, double eventsPerSecond, int parallelism, String backend) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        env.enableCheckpointing(200);
        DataGeneratorSource<String> source = new DataGeneratorSource<>(SavepointUpgradeTest::event, (long) KEYS * STEPS,
                RateLimiterStrategy.perSecond(eventsPerSecond), Types.STRING);
        SingleOutputStreamOperator<String> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "source")
                .uid("rnnstream-source")
                // One reader: events in index order, so every key's steps arrive in order.
                .setParallelism(1);
        Pipeline.builder().model(ModelProvider.of(model)).options(StreamOptions.defaults().emitHidden(true))
                .records(Pipeline.lines(raw)).outputSink(new Collect(false)).deadLetterSink(new Collect(true)).build();
        return env.getStreamGraph();
    }

    /**
     * Release 0.1.0 kept each key's state in three values; this build keeps one (the bookkeeping POJO
     * gained the state) and moves a restored key's state over on its first event. The savepoint is in
     * the canonical format, so it restores into either backend, and each migrates in its own way.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("savepointsAndBackends")
    void aSavepointOfAnEarlierVersionRestoresAndCarriesOn(String savepointName, String backend,
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        String write = System.getProperty("rnnstream.savepoint.write");
        if (write != null && !write.isBlank()) {
            if (backend.equals("hashmap") && savepointName.equals(SAVEPOINTS[0])) {
                writeSavepoint(client, Path.of(write));
            }
            return;
        }
        Path release = Path.of(getClass().getResource("/savepoints/" + savepointName + "/model.rnns").toURI())
                .getParent();
        Path savepoint = tmp.resolve("savepoint");
        copy(release.resolve("savepoint"), savepoint);
        Model model = ModelFile.read(release.resolve("model.rnns"));

        OUT.clear();
        DEAD.clear();
        StreamGraph g = job(model, 100_000, 3, backend);
        g.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint.toUri().toString(), false));
        JobID id = client.submitJob(g).get(60, TimeUnit.SECONDS);
        client.requestJobResult(id).get(120, TimeUnit.SECONDS).toJobExecutionResult(getClass().getClassLoader());

        assertEquals(List.of(), new ArrayList<>(DEAD), "dead letters");
        Map<String, List<Integer>> steps = new HashMap<>();
        Map<String, float[][]> expected = new HashMap<>();
        for (String line : OUT) {
            JsonNode n = JSON.readTree(line);
            String key = n.get("key").asText();
            int k = Integer.parseInt(key.substring(1));
            int step = n.get("step").asInt();
            steps.computeIfAbsent(key, x -> new ArrayList<>()).add(step);
            float[] want = expected.computeIfAbsent(key, x -> {
                float[][] seq = new float[STEPS][];
                for (int s = 0; s < STEPS; s++) {
                    seq[s] = features(k, s);
                }
                return Forward.sequences(model, seq);
            })[step];
            // The saved states were computed by the release that wrote the savepoint; a later
            // release may step with a faster kernel, which the docs allow to differ by 1e-6 (the
            // vector kernel arrived after this savepoint was taken). A state that was not restored
            // would be off by far more.
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], (float) n.get("output").get(i).asDouble(), 1e-6, line);
            }
        }
        assertEquals(KEYS, steps.size(), "every key carries on: " + steps.keySet());
        for (Map.Entry<String, List<Integer>> e : steps.entrySet()) {
            List<Integer> s = e.getValue();
            int first = s.get(0);
            // Step > 0 with the kernel's numbers: the key's hidden state came out of the savepoint.
            assertTrue(first > 0, e.getKey() + " started over at step 0: its state was not restored");
            for (int i = 0; i < s.size(); i++) {
                assertEquals(first + i, s.get(i), e.getKey() + ": " + s);
            }
            assertEquals(STEPS - 1, s.get(s.size() - 1), e.getKey() + " ran to its end");
        }
    }

    static Stream<Arguments> savepointsAndBackends() {
        return Stream.of(SAVEPOINTS).flatMap(s -> Stream.of("hashmap", "rocksdb").map(b -> Arguments.of(s, b)));
    }

    /** Runs the job slowly, stops it with a savepoint halfway and keeps the savepoint with its model. */
    static void writeSavepoint(ClusterClient<?> client, Path dir) throws Exception {
        Model model = ClusterCrashRescaleTest.model();
        OUT.clear();
        JobID id = client.submitJob(job(model, 200, 2)).get(60, TimeUnit.SECONDS);
        while (OUT.size() < KEYS * STEPS / 2) {
            Thread.sleep(50);
        }
        Path raw = Files.createTempDirectory("savepoint");
        String location = client.stopWithSavepoint(id, false, raw.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        deleteTree(dir);
        Files.createDirectories(dir);
        copy(Path.of(java.net.URI.create(location)), dir.resolve("savepoint"));
        ModelFile.write(model, dir.resolve("model.rnns"));
        Files.writeString(dir.resolve("README.md"), "# Savepoint of rnnstream " + dir.getFileName() + "\n\n"
                + "Taken by `SavepointUpgradeTest` (see its javadoc for the command) from the production pipeline\n"
                + "(`Pipeline`, operator uids `rnnstream-*`, step state `" + Pipeline.STEP_UID + "`) over "
                + KEYS + " keys x " + STEPS + " steps,\nstopped halfway at parallelism 2. Restoring it must keep working in"
                + " every later release.\n");
        deleteTree(raw);
    }

    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    /** Collects into this JVM (the MiniCluster runs here). */
    static final class Collect implements Sink<KeyedPayload> {
        private static final long serialVersionUID = 1L;
        private final boolean dead;

        Collect(boolean dead) {
            this.dead = dead;
        }

        @Override
        public SinkWriter<KeyedPayload> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(KeyedPayload record, Context ctx) {
                    // The outputs come as JSON's UTF-8 bytes, the dead letters as text: bytes() is either's.
                    String element = new String(record.bytes(), java.nio.charset.StandardCharsets.UTF_8);
                    (dead ? DEAD : OUT).add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
