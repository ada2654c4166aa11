package io.rnnstream.job;

import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.job.swap.SwapPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The job's options as a user gives them ({@code --idle-timeout 30s}, …), and the one mapping from them
 * to the pipeline's settings ({@link #streamOptions()}, {@link #kafkaSettings()}). The CLI's picocli
 * command sets the fields; the job jar, which ships without picocli, parses its {@code String[]} with
 * {@link #parse}. Either way the same fields meet the same mapping.
 */
public final class JobOptions {
    public Path model;
    public String bootstrapServers;
    public String inputTopic;
    public String outputTopic;
    public String dlqTopic;
    public String groupId = "rnnstream";
    public String startingOffsets = "committed";
    public List<String> kafkaProperties = new ArrayList<>();
    public Path kafkaPropertiesFile;
    public String transactionalIdPrefix;
    public boolean bounded;
    public String modelTopic;
    public String statusTopic;
    public String modelDir;
    public String swapPolicy = "new-sequences";
    public String delivery = "exactly-once";
    public Duration checkpointInterval = KafkaJob.DEFAULT_CHECKPOINT_INTERVAL;
    /** 0: the environment's default. */
    public int parallelism;
    public String jobName;
    public int sequenceLength;
    public Duration idleTimeout;
    public Double decideAtConfidence;
    public Double decideAtPrecision;
    public boolean emitHidden;
    public int maxBufferedSteps = StreamOptions.DEFAULT_MAX_BUFFERED_STEPS;
    public Duration stateTtl;
    public Duration maxOutOfOrderness = Duration.ZERO;

    /** How each sequence is stepped: the stream options these fields say. */
    public StreamOptions streamOptions() {
        return StreamOptions.defaults()
                .sequenceLength(sequenceLength)
                .idleTimeout(idleTimeout)
                .decideAtConfidence(decideAtConfidence == null ? Double.NaN : decideAtConfidence)
                .decideAtPrecision(decideAtPrecision == null ? Double.NaN : decideAtPrecision)
                .emitHidden(emitHidden)
                .maxBufferedSteps(maxBufferedSteps)
                .stateTtl(stateTtl)
                .maxOutOfOrderness(maxOutOfOrderness)
                .swapPolicy(SwapPolicy.parse(swapPolicy))
                .modelDirectory(modelDir);
    }

    /** Where the Kafka job reads and writes: the Kafka settings these fields say. */
    public KafkaJob.Settings kafkaSettings() throws IOException {
        Properties props = new Properties();
        if (kafkaPropertiesFile != null) {
            // Credentials (SASL, SSL) live in a file mounted from a secret, never on the command line.
            try (InputStream in = Files.newInputStream(kafkaPropertiesFile)) {
                props.load(in);
            }
        }
        for (String kv : kafkaProperties) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka-property takes key=value, not '" + kv + "'");
            }
            props.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return KafkaJob.settings()
                .bootstrapServers(bootstrapServers).inputTopic(inputTopic).outputTopic(outputTopic).dlqTopic(dlqTopic)
                .groupId(groupId).startingOffsets(StartingOffsets.parse(startingOffsets)).kafkaProperties(props)
                .transactionalIdPrefix(transactionalIdPrefix).bounded(bounded)
                .modelTopic(modelTopic).statusTopic(statusTopic)
                .delivery(delivery(delivery))
                .build();
    }

    /** "exactly-once" or "at-least-once", as {@code --delivery} takes it. */
    public static DeliveryGuarantee delivery(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "exactly-once":
                return DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once":
                return DeliveryGuarantee.AT_LEAST_ONCE;
            default:
                throw new IllegalArgumentException("--delivery must be exactly-once or at-least-once, not '" + v + "'");
        }
    }

    private static final Map<String, BiConsumer<JobOptions, String>> OPTIONS = new LinkedHashMap<>();
    private static final Map<String, BiConsumer<JobOptions, Boolean>> FLAGS = new LinkedHashMap<>();

    static {
        OPTIONS.put("--model", (o, v) -> o.model = Path.of(v));
        OPTIONS.put("--bootstrap-servers", (o, v) -> o.bootstrapServers = v);
        OPTIONS.put("--input-topic", (o, v) -> o.inputTopic = v);
        OPTIONS.put("--output-topic", (o, v) -> o.outputTopic = v);
        OPTIONS.put("--dlq-topic", (o, v) -> o.dlqTopic = v);
        OPTIONS.put("--group-id", (o, v) -> o.groupId = v);
        OPTIONS.put("--starting-offsets", (o, v) -> o.startingOffsets = v);
        OPTIONS.put("--kafka-property", (o, v) -> o.kafkaProperties.add(v));
        OPTIONS.put("--kafka-properties-file", (o, v) -> o.kafkaPropertiesFile = Path.of(v));
        OPTIONS.put("--transactional-id-prefix", (o, v) -> o.transactionalIdPrefix = v);
        OPTIONS.put("--model-topic", (o, v) -> o.modelTopic = v);
        OPTIONS.put("--status-topic", (o, v) -> o.statusTopic = v);
        OPTIONS.put("--model-dir", (o, v) -> o.modelDir = v);
        OPTIONS.put("--swap-policy", (o, v) -> o.swapPolicy = v);
        OPTIONS.put("--delivery", (o, v) -> o.delivery = v);
        OPTIONS.put("--checkpoint-interval", (o, v) -> o.checkpointInterval = parseDuration(v));
        OPTIONS.put("--parallelism", (o, v) -> o.parallelism = parseInt("--parallelism", v));
        OPTIONS.put("--job-name", (o, v) -> o.jobName = v);
        OPTIONS.put("--sequence-length", (o, v) -> o.sequenceLength = parseInt("--sequence-length", v));
        OPTIONS.put("--idle-timeout", (o, v) -> o.idleTimeout = parseDuration(v));
        OPTIONS.put("--decide-at-confidence", (o, v) -> o.decideAtConfidence = parseDouble("--decide-at-confidence", v));
        OPTIONS.put("--decide-at-precision", (o, v) -> o.decideAtPrecision = parseDouble("--decide-at-precision", v));
        OPTIONS.put("--max-buffered-steps", (o, v) -> o.maxBufferedSteps = parseInt("--max-buffered-steps", v));
        OPTIONS.put("--state-ttl", (o, v) -> o.stateTtl = parseDuration(v));
        OPTIONS.put("--max-out-of-orderness", (o, v) -> o.maxOutOfOrderness = parseDuration(v));
        FLAGS.put("--emit-hidden", (o, v) -> o.emitHidden = v);
        FLAGS.put("--bounded", (o, v) -> o.bounded = v);
    }

    /** {@code --name value} or {@code --name=value}, repeatable ones kept in order, and bare flags. */
    public static JobOptions parse(String[] args) {
        JobOptions o = new JobOptions();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.containsKey(name)) {
                FLAGS.get(name).accept(o, value == null || !"false".equalsIgnoreCase(value));
            } else if (OPTIONS.containsKey(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    value = args[++i];
                }
                OPTIONS.get(name).accept(o, value);
            } else {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'; the job takes "
                        + String.join(", ", new TreeSet<>(OPTIONS.keySet())) + " and the flags "
                        + String.join(", ", new TreeSet<>(FLAGS.keySet())));
            }
        }
        return o;
    }

    /** The options {@link #parse} takes (flags included), for documentation and tests. */
    public static List<String> names() {
        List<String> all = new ArrayList<>(OPTIONS.keySet());
        all.addAll(FLAGS.keySet());
        return all;
    }

    private static int parseInt(String option, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + v + "'");
        }
    }

    private static double parseDouble(String option, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + v + "'");
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)?");

    /** "30s", "500ms", "5m", "1h", "2d", a bare number of milliseconds, or ISO-8601 ("PT30S"). */
    public static Duration parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
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
}
