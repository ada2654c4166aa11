package io.rnnstream.job;

import io.rnnstream.connectors.FileConnectors;
import io.rnnstream.connectors.SourceIdle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the pipeline on an embedded (local) Flink from one JSON-lines file to two, and returns when the
 * input is consumed: what {@code rnnstream stream} does.
 *
 * <p>The outputs go through Flink's exactly-once {@code FileSink} into hidden part directories beside
 * the named files; checkpoints commit them (the last one when the input ends), and the committed parts
 * are then concatenated into exactly the files the user named. A restart after a failure therefore
 * neither loses nor repeats records.
 */
public final class LocalFileJob {
    /** What the run saw. */
    public record Counts(long linesIn, long outputs, long finalsWithoutEvent, long deadLetters) {
        /** Every input line became exactly one output or one dead letter. */
        public boolean reconciles() {
            return linesIn == outputs - finalsWithoutEvent + deadLetters;
        }
    }

    private final ModelProvider model;
    private final String modelId;
    private final StreamOptions opts;
    private int parallelism = 1;
    private String stateBackend = "hashmap";
    private Duration checkpointInterval = Duration.ofMillis(500);
    private int metricsPort = -1;
    private KeyShuffle keyShuffle = KeyShuffle.AUTO;

    public LocalFileJob(ModelProvider model, String modelId, StreamOptions opts) {
        this.model = model;
        this.modelId = modelId;
        this.opts = opts;
    }

    public LocalFileJob parallelism(int p) {
        if (p < 1) {
            throw new IllegalArgumentException("--parallelism must be 1 or more, not " + p);
        }
        this.parallelism = p;
        return this;
    }

    /** "hashmap" (state on the heap) or "rocksdb" (state on local disk). */
    public LocalFileJob stateBackend(String b) {
        if (!b.equals("hashmap") && !b.equals("rocksdb")) {
            throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, not " + b);
        }
        this.stateBackend = b;
        return this;
    }

    /** How often state is checkpointed and output committed; the run ends after one more checkpoint. */
    public LocalFileJob checkpointInterval(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("--checkpoint-interval must be positive, not " + d);
        }
        this.checkpointInterval = d;
        return this;
    }

    /** The Prometheus endpoint's port on 127.0.0.1 while the job runs; -1 (default): none. */
    public LocalFileJob metricsPort(int port) {
        this.metricsPort = port;
        return this;
    }

    /** Whether events go through Flink's key shuffle at parallelism 1 (default {@link KeyShuffle#AUTO}: no). */
    public LocalFileJob keyShuffle(KeyShuffle k) {
        this.keyShuffle = k;
        return this;
    }

    public Counts run(Path input, Path outputFile, Path dlqFile) throws Exception {
        if (!Files.exists(input)) {
            throw new IllegalArgumentException("input file not found: " + input);
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path outParts = partsDir(outputFile, run);
        Path dlqParts = partsDir(dlqFile, run);
        Path checkpoints = Files.createTempDirectory("rnnstream-checkpoints");
        try {
            StreamExecutionEnvironment env =
                    LocalFlink.builder().parallelism(parallelism).stateBackend(stateBackend).checkpoints(checkpoints)
                            .checkpointInterval(checkpointInterval).metricsPort(metricsPort).environment();
            DataStream<String> lines = env.fromSource(SourceIdle.signalling(FileConnectors.lines(input)),
                    WatermarkStrategy.noWatermarks(), "source").uid("rnnstream-source");
            Pipeline.builder()
                    .model(model).modelId(modelId).options(opts).keyShuffle(keyShuffle)
                    .records(Pipeline.lines(lines))
                    .outputSink(FileConnectors.payloadSink(outParts))
                    .deadLetterSink(FileConnectors.payloadSink(dlqParts))
                    .build();
            env.execute("rnnstream stream " + input.getFileName());
            FileConnectors.concatenateParts(outParts, outputFile);
            FileConnectors.concatenateParts(dlqParts, dlqFile);
        } finally {
            FileConnectors.deleteTree(outParts);
            FileConnectors.deleteTree(dlqParts);
            FileConnectors.deleteTree(checkpoints);
        }
        long finals;
        long outputs;
        try (Stream<String> s = Files.lines(outputFile)) {
            long[] c = new long[2];
            s.forEach(l -> {
                c[0]++;
                if (l.contains("\"reason\":\"")) {
                    c[1]++;
                }
            });
            outputs = c[0];
            finals = c[1];
        }
        return new Counts(countLines(input), outputs, finals, countLines(dlqFile));
    }

    private static Path partsDir(Path target, String run) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        return abs.resolveSibling("." + abs.getFileName() + ".parts-" + run);
    }

    private static long countLines(Path p) {
        try {
            if (Files.isDirectory(p)) {
                long n = 0;
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path f : s.filter(Files::isRegularFile).toList()) {
                        n += countLines(f);
                    }
                }
                return n;
            }
            try (Stream<String> s = Files.lines(p)) {
                return s.count();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> readLines(Path p) throws IOException {
        return Files.readAllLines(p);
    }
}
