package io.rnnstream.job;

import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The main class of the job jar, for {@code flink run} and the REST API:
 *
 * <pre>
 * flink run -c io.rnnstream.job.RnnstreamJob rnnstream-job-flink-job.jar \
 *   --model /models/mnist.rnns --bootstrap-servers kafka:9092 \
 *   --input-topic events --output-topic outputs --dlq-topic dead-letters
 * </pre>
 *
 * The model is read once, here on the client, and travels inside the job graph, so TaskManagers
 * need no access to the file. Everything else (state backend, checkpoint storage, restarts) comes
 * from the cluster's configuration.
 */
public final class RnnstreamJob {
    private RnnstreamJob() {}

    static final Set<String> FLAGS = Set.of("--emit-hidden", "--bounded");
    static final Set<String> OPTIONS = Set.of("--model", "--bootstrap-servers", "--input-topic", "--output-topic",
            "--dlq-topic", "--group-id", "--starting-offsets", "--kafka-property", "--kafka-properties-file",
            "--transactional-id-prefix", "--checkpoint-interval", "--parallelism", "--job-name",
            "--sequence-length", "--idle-timeout", "--decide-at-confidence", "--decide-at-precision", "--max-buffered-steps", "--state-ttl",
            "--max-out-of-orderness", "--model-topic", "--status-topic", "--swap-policy", "--model-dir");

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Model model = ModelLoader.load(Path.of(a.required("--model")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RnnStream.enableObjectReuse(env);
        if (a.has("--parallelism")) {
            env.setParallelism(Integer.parseInt(a.get("--parallelism")));
        }
        Duration checkpoints = a.has("--checkpoint-interval") ? parseDuration(a.get("--checkpoint-interval"))
                : KafkaJob.DEFAULT_CHECKPOINT_INTERVAL;
        env.enableCheckpointing(checkpoints.toMillis());
        StreamOptions opts = streamOptions(a);
        String warning = Head.decisionWarning(model, opts);
        if (warning != null) {
            System.err.println(warning);
        }
        KafkaJob.build(env, kafkaConfig(a), ModelProvider.of(model), model.id(), opts);
        env.execute(a.has("--job-name") ? a.get("--job-name") : "rnnstream " + model.id());
    }

    /** The Kafka part of job arguments ({@code --bootstrap-servers H:P --input-topic T …}). */
    public static KafkaJob.Config kafkaConfig(String[] args) throws IOException {
        return kafkaConfig(Args.parse(args));
    }

    static KafkaJob.Config kafkaConfig(Args a) throws IOException {
        Properties props = new Properties();
        if (a.has("--kafka-properties-file")) {
            // Credentials (SASL, SSL) live in a file mounted from a secret, never on the command line.
            try (InputStream in = Files.newInputStream(Path.of(a.get("--kafka-properties-file")))) {
                props.load(in);
            }
        }
        for (String kv : a.all("--kafka-property")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka-property takes key=value, not '" + kv + "'");
            }
            props.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return new KafkaJob.Config(a.required("--bootstrap-servers"), a.required("--input-topic"),
                a.required("--output-topic"), a.required("--dlq-topic"), a.get("--group-id"),
                a.has("--starting-offsets") ? StartingOffsets.parse(a.get("--starting-offsets")) : null, props,
                a.get("--transactional-id-prefix"), a.flag("--bounded"), a.get("--model-topic"),
                a.get("--status-topic"));
    }

    /** The stream semantics part of the arguments: the same options as {@code rnnstream stream}. */
    static StreamOptions streamOptions(Args a) {
        StreamOptions o = StreamOptions.defaults().emitHidden(a.flag("--emit-hidden"));
        if (a.has("--sequence-length")) {
            o = o.sequenceLength(Integer.parseInt(a.get("--sequence-length")));
        }
        if (a.has("--idle-timeout")) {
            o = o.idleTimeout(parseDuration(a.get("--idle-timeout")));
        }
        if (a.has("--decide-at-confidence")) {
            o = o.decideAtConfidence(Double.parseDouble(a.get("--decide-at-confidence")));
        }
        if (a.has("--model-dir")) {
            o = o.modelDirectory(a.get("--model-dir"));
        }
        if (a.has("--decide-at-precision")) {
            o = o.decideAtPrecision(Double.parseDouble(a.get("--decide-at-precision")));
        }
        if (a.has("--max-buffered-steps")) {
            o = o.maxBufferedSteps(Integer.parseInt(a.get("--max-buffered-steps")));
        }
        if (a.has("--state-ttl")) {
            o = o.stateTtl(parseDuration(a.get("--state-ttl")));
        }
        if (a.has("--max-out-of-orderness")) {
            o = o.maxOutOfOrderness(parseDuration(a.get("--max-out-of-orderness")));
        }
        if (a.has("--swap-policy")) {
            o = o.swapPolicy(SwapPolicy.parse(a.get("--swap-policy")));
        }
        return o;
    }

    /** "30s", "500ms", "5m", "1h", "2d", a bare number of milliseconds, or ISO-8601 ("PT30S"). */
    public static Duration parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)?").matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            switch (unit) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                case "min":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofDays(n);
            }
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration: use e.g. 30s, 500ms, 5m or 1h");
        }
    }

    /** {@code --name value} pairs, repeatable ones kept in order, and bare flags. */
    static final class Args {
        private final Map<String, List<String>> values = new HashMap<>();

        static Args parse(String[] args) {
            Args a = new Args();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value = null;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (FLAGS.contains(name)) {
                    a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value == null ? "true" : value);
                } else if (OPTIONS.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    throw new IllegalArgumentException("unknown argument '" + args[i] + "'; the job takes "
                            + String.join(", ", new java.util.TreeSet<>(OPTIONS)) + " and the flags "
                            + String.join(", ", new java.util.TreeSet<>(FLAGS)));
                }
            }
            return a;
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String get(String name) {
            List<String> v = values.get(name);
            return v == null ? null : v.get(v.size() - 1);
        }

        String required(String name) {
            String v = get(name);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("missing " + name);
            }
            return v;
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        boolean flag(String name) {
            return has(name) && !"false".equalsIgnoreCase(get(name));
        }
    }
}
