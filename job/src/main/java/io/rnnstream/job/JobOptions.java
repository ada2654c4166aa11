package io.rnnstream.job;

import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.kafka.KafkaConnectors.StartingOffsets;
import io.rnnstream.job.swap.SwapPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
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
    /**
     * How long a partly filled network buffer waits before it is sent (Flink's default is 100 ms): the
     * knob that trades latency for throughput (docs/KAFKA.md, "Latency"). 0 sends every record at once.
     */
    public static final Duration DEFAULT_BUFFER_TIMEOUT = Duration.ofMillis(5);

    // Grouped by what they set; each field is the option of its name (kafkaProperty: --kafka-property).
    public Path model;
    /** Kafka: where the job reads and writes. */
    public String bootstrapServers, inputTopic, outputTopic, dlqTopic, modelTopic, statusTopic;
    public String groupId = "rnnstream", startingOffsets = "committed", transactionalIdPrefix;
    /** Each {@code --kafka-property KEY=VALUE}, in order. */
    public List<String> kafkaProperty = new ArrayList<>();
    public Path kafkaPropertiesFile;
    public boolean bounded;
    public String delivery = "exactly-once";
    /** At-least-once: the output sink waits linger.ms even when the input runs dry ({@link KafkaJob.Settings.Builder#lingerAlways}). */
    public boolean lingerAlways;
    /** Events in and outputs out: json or avro (docs/KAFKA.md). */
    public String format = "json";
    /** Hot swap. */
    public String modelDir, swapPolicy = "new-sequences";
    /** The job itself; parallelism 0: the environment's default. */
    public Duration checkpointInterval = KafkaJob.DEFAULT_CHECKPOINT_INTERVAL, bufferTimeout = DEFAULT_BUFFER_TIMEOUT;
    public int parallelism;
    public String jobName;
    /** auto or always: whether events go through Flink's key shuffle at parallelism 1 ({@link KeyShuffle}). */
    public String keyShuffle = "auto";
    /** How sequences are ordered, ended and decided. */
    public int sequenceLength, maxBufferedSteps = StreamOptions.DEFAULT_MAX_BUFFERED_STEPS;
    public Duration idleTimeout, stateTtl, maxOutOfOrderness = Duration.ZERO;
    public Double decideAtConfidence, decideAtPrecision;
    public boolean emitHidden;
    /** Events of different keys stepped together (1: one at a time), and the longest one waits. */
    public int stepBundle = StreamOptions.DEFAULT_STEP_BUNDLE;
    public Duration stepBundleWait = Duration.ofMillis(1);

    /** The environment settings these fields say: buffer timeout, parallelism, checkpoint interval. */
    public void configure(org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env) {
        if (bufferTimeout.isNegative()) {
            throw new IllegalArgumentException("--buffer-timeout must be 0 or more, not " + bufferTimeout);
        }
        env.setBufferTimeout(bufferTimeout.toMillis());
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        env.enableCheckpointing(checkpointInterval.toMillis());
    }

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
                .modelDirectory(modelDir)
                .stepBundle(stepBundle)
                .stepBundleWait(stepBundleWait);
    }

    /** How events reach their key's subtask: the key shuffle this field says. */
    public KeyShuffle keyShuffle() {
        return KeyShuffle.parse(keyShuffle);
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
        for (String kv : kafkaProperty) {
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
                .lingerAlways(lingerAlways)
                .format(WireFormat.parse(format))
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

    /**
     * {@code --name value} or {@code --name=value}, repeatable ones kept in order, and bare flags. Each
     * {@code --kebab-name} sets the public field {@code kebabName}, converted by the field's type, so the
     * job jar takes exactly the options the CLI's {@code stream} does, with no table to keep in step.
     */
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
            Field f = field(name);
            if (f == null) {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'; the job takes "
                        + String.join(", ", names()));
            }
            if (f.getType() != boolean.class && value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            set(o, f, name, value);
        }
        return o;
    }

    /** The options {@link #parse} takes, flags included. */
    public static List<String> names() {
        List<String> all = new ArrayList<>();
        for (Field f : JobOptions.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                all.add("--" + f.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
            }
        }
        return all;
    }

    private static Field field(String option) {
        if (!option.startsWith("--")) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String part : option.substring(2).split("-")) {
            b.append(b.length() == 0 ? part : part.isEmpty() ? "" : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        try {
            Field f = JobOptions.class.getField(b.toString());
            return Modifier.isStatic(f.getModifiers()) ? null : f;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static void set(JobOptions o, Field f, String option, String v) {
        Class<?> t = f.getType();
        try {
            if (t == boolean.class) {
                f.setBoolean(o, v == null || !"false".equalsIgnoreCase(v));
            } else if (t == String.class) {
                f.set(o, v);
            } else if (t == Path.class) {
                f.set(o, Path.of(v));
            } else if (t == Duration.class) {
                f.set(o, parseDuration(v));
            } else if (t == int.class) {
                f.setInt(o, parseInt(option, v));
            } else if (t == Double.class) {
                f.set(o, parseDouble(option, v));
            } else if (t == List.class) {
                @SuppressWarnings("unchecked")
                List<String> list = (List<String>) f.get(o);
                list.add(v);
            } else {
                throw new IllegalStateException(option + ": no conversion to " + t);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(option, e);
        }
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
