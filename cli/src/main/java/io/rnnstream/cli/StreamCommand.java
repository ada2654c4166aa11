package io.rnnstream.cli;

import io.rnnstream.job.LocalFileJob;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnstream stream}: runs the streaming job on an embedded Flink, file in, files out. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Classifies per-key event sequences from a JSON-lines file on an embedded Flink, one"
                + " recurrent step per event, and writes one output record per event and the dead letters."
                + " Returns when the input is consumed.")
public class StreamCommand extends BaseCommand {

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "The model: an rnnstream file, a Keras .h5/.keras, or model.json with its weights.")
    Path model;

    @Option(names = "--input-file", required = true, paramLabel = "FILE",
            description = "JSON lines, one event each: {\"key\", \"step\", \"ts\", \"features\", \"end\"}.")
    Path input;

    @Option(names = "--output-file", required = true, paramLabel = "FILE",
            description = "Where the output records go (one JSON line per applied event).")
    Path output;

    @Option(names = "--dlq-file", required = true, paramLabel = "FILE",
            description = "Where the dead letters go (events that could not be applied, with why).")
    Path dlq;

    @Option(names = "--parallelism", defaultValue = "1", description = "Parallel subtasks (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--sequence-length", defaultValue = "0", paramLabel = "T",
            description = "End each sequence after T steps (default: only \"end\": true or the idle timeout).")
    int sequenceLength;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "End a sequence with no event for this long, e.g. 30s, 500ms, 5m (event time when"
                    + " events carry ts).")
    Duration idleTimeout;

    @Option(names = "--decide-at-confidence", paramLabel = "P",
            description = "Flag the first step whose top probability reaches P with \"decision\": true.")
    Double decideAtConfidence;

    @Option(names = "--emit-hidden", description = "Add the top recurrent layer's h to each record.")
    boolean emitHidden;

    @Option(names = "--max-buffered-steps", defaultValue = "64", paramLabel = "N",
            description = "Early (out-of-order) steps kept per key while a gap fills (default: ${DEFAULT-VALUE}).")
    int maxBufferedSteps;

    @Option(names = "--state-backend", defaultValue = "hashmap", paramLabel = "hashmap|rocksdb",
            description = "Where keyed state lives (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--checkpoint-interval", defaultValue = "500ms", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Checkpoint (and output commit) interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--state-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Drop a key's state this long after its last write (default: 2 x idle timeout + 1m"
                    + " with an idle timeout, else never; 0 turns it off).")
    Duration stateTtl;

    @Option(names = "--max-out-of-orderness", defaultValue = "0s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How far behind the largest ts seen the watermark runs (default: ${DEFAULT-VALUE}).")
    Duration maxOutOfOrderness;

    @Override
    protected int run() throws Exception {
        PrintWriter out = out();
        Model m = ModelLoader.load(model);
        StreamOptions opts = StreamOptions.defaults()
                .sequenceLength(sequenceLength)
                .idleTimeout(idleTimeout)
                .decideAtConfidence(decideAtConfidence == null ? Double.NaN : decideAtConfidence)
                .emitHidden(emitHidden)
                .maxBufferedSteps(maxBufferedSteps)
                .stateTtl(stateTtl)
                .maxOutOfOrderness(maxOutOfOrderness);
        LocalFileJob job = new LocalFileJob(ModelProvider.file(model), m.id(), opts)
                .parallelism(parallelism)
                .stateBackend(stateBackend.toLowerCase(Locale.ROOT))
                .checkpointInterval(checkpointInterval);
        LocalFileJob.Counts c = job.run(input, output, dlq);
        out.printf("events in: %d%noutputs: %d (of which %d final records for sequences that ended without an"
                + " event: idle timeout or end of input)%ndead letters: %d%n", c.linesIn(), c.outputs(),
                c.finalsWithoutEvent(), c.deadLetters());
        out.printf("wrote %s and %s%n", output, dlq);
        out.flush();
        return 0;
    }

    /** "30s", "500ms", "5m", "1h", "2d", a bare number of milliseconds, or ISO-8601 ("PT30S"). */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern P = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)?");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = P.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m", "min" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            try {
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use e.g. 30s,"
                        + " 500ms, 5m or 1h");
            }
        }
    }
}
