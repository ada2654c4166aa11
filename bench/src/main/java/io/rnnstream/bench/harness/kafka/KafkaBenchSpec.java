package io.rnnstream.bench.harness.kafka;

import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.KafkaJob;
import io.rnnstream.job.KeyShuffle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * One run of the Kafka path benchmark: what the generator sends, how the job delivers, and which
 * stages run side by side. Made with {@link #builder()}; {@link Builder#build()} checks everything once.
 */
public final class KafkaBenchSpec {
    /**
     * The paced part of a paced run's warm-up, unless set. A paced job runs per request what an unpaced one
     * runs per record (a fetch or a produce request carries a few records), so that code reaches the JIT's
     * last tier only at the rate, after a minute or more. At 10,000 events/s (docs/BENCHMARKS.md, sessions
     * 18 and 19): after 4 paced seconds the JVMs' compilers still ran ~23 s of a 60 s measured part, after
     * 30 s 12–26 s, after 120 s 3–7 s; the whole window's p99 went 35 → 28–41 → 24–27 ms.
     */
    public static final Duration DEFAULT_PACED_WARM_UP = Duration.ofSeconds(120);
    private final List<KafkaBenchStage> stages;
    private final int keys;
    private final long events;
    private final long warmup;
    private final Duration pacedWarmUp;
    private final int sequenceLength;
    private final long rate;
    private final double malformed;
    private final DeliveryGuarantee delivery;
    private final boolean lingerAlways;
    private final WireFormat format;
    private final Duration checkpointInterval;
    private final long bufferTimeoutMs;
    private final int stepBundle;
    private final KeyShuffle keyShuffle;
    private final int parallelism;
    private final int partitions;
    private final Duration timeout;
    private final int repeat;
    private final Properties producerProperties;
    private final Properties consumerProperties;
    private final Properties jobKafkaProperties;
    private final Optional<Path> traceDir;

    private KafkaBenchSpec(Builder b) {
        this.stages = List.copyOf(b.stages);
        this.keys = b.keys;
        this.events = b.events;
        this.warmup = b.warmup >= 0 ? b.warmup : Math.max(b.keys, b.events / 5);
        this.pacedWarmUp = b.pacedWarmUp;
        this.sequenceLength = b.sequenceLength;
        this.rate = b.rate;
        this.malformed = b.malformed;
        this.delivery = b.delivery;
        this.lingerAlways = b.lingerAlways;
        this.format = b.format;
        this.checkpointInterval = b.checkpointInterval;
        this.bufferTimeoutMs = b.bufferTimeoutMs;
        this.stepBundle = b.stepBundle;
        this.keyShuffle = b.keyShuffle;
        this.parallelism = b.parallelism;
        this.partitions = b.partitions;
        this.timeout = b.timeout;
        this.repeat = b.repeat;
        this.producerProperties = copy(b.producerProperties);
        this.consumerProperties = copy(b.consumerProperties);
        this.jobKafkaProperties = copy(b.jobKafkaProperties);
        this.traceDir = b.traceDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The stages, in the order they run. */
    public List<KafkaBenchStage> stages() {
        return stages;
    }

    /** N keys, interleaved: event i belongs to key i mod N. */
    public int keys() {
        return keys;
    }

    /** Events the generator sends per stage, warm-up included. */
    public long events() {
        return events;
    }

    /** Outputs before the clock starts: latency and throughput count only the ones after. */
    public long warmup() {
        return warmup;
    }

    /** How much of a paced run's warm-up goes at the rate (the rest is sent unpaced, before it). */
    public Duration pacedWarmUp() {
        return pacedWarmUp;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    /** Events per second the generator paces itself to; 0: as fast as the broker takes them. */
    public long rate() {
        return rate;
    }

    /** Malformed records sent besides the events, per event (job stages only): the dead letters' cost. */
    public double malformed() {
        return malformed;
    }

    public DeliveryGuarantee delivery() {
        return delivery;
    }

    /** As {@code stream --linger-always}: at-least-once, the output sink never sends early when the input runs dry. */
    public boolean lingerAlways() {
        return lingerAlways;
    }

    /** The records' format: what the generator writes, the job reads and writes, the consumer reads. */
    public WireFormat format() {
        return format;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** Flink's network buffer timeout in ms; -1: Flink's default (100 ms), as the job runs today. */
    public long bufferTimeoutMs() {
        return bufferTimeoutMs;
    }

    public int parallelism() {
        return parallelism;
    }

    /** Partitions of each topic the run creates. */
    public int partitions() {
        return partitions;
    }

    /** How long one stage may go without a new output before the run fails. */
    public Duration timeout() {
        return timeout;
    }

    /** Rounds over the stages, interleaved, so that the machine's load changes touch every stage alike. */
    public int repeat() {
        return repeat;
    }

    /** The generator's producer settings over Kafka's defaults. */
    public Properties producerProperties() {
        return copy(producerProperties);
    }

    /** The measuring consumers' settings over Kafka's defaults (their isolation level is the harness's). */
    public Properties consumerProperties() {
        return copy(consumerProperties);
    }

    /** The job's step bundles ({@code --step-bundle}; 1: off). */
    public int stepBundle() {
        return stepBundle;
    }

    /** Whether the job's events go through Flink's key shuffle ({@code --key-shuffle}, as {@code stream}'s). */
    public KeyShuffle keyShuffle() {
        return keyShuffle;
    }

    /** The job's Kafka client settings (its source and sinks), as {@code stream --kafka-property} gives them. */
    public Properties jobKafkaProperties() {
        return copy(jobKafkaProperties);
    }

    /**
     * Where each stage run writes its consumers' measured records, one CSV line each, in
     * {@code STAGE-ROUND-uncommitted.csv} and {@code STAGE-ROUND-committed.csv} ({@code --trace}): which
     * records were slow, when, and in which hop. Empty: no trace.
     */
    public Optional<Path> traceDir() {
        return traceDir;
    }

    /** The settings as one line, for the report. */
    public String describe() {
        return String.format(Locale.ROOT, "%,d keys, %,d events (warm-up %,d), %s, %s, checkpoint %d ms, buffer"
                + " timeout %s, step bundles of %d, key shuffle %s, parallelism %d, %d partitions", keys, events, warmup,
                rate == 0 ? "unpaced" : String.format(Locale.ROOT, "paced at %,d/s (warm-up's last %d s too)", rate,
                        pacedWarmUp.toSeconds()),
                deliveryName(delivery) + (lingerAlways ? " (linger always)" : "") + ", " + format.label(),
                checkpointInterval.toMillis(), bufferTimeoutMs < 0 ? "Flink's default" : bufferTimeoutMs + " ms",
                stepBundle, keyShuffle.name().toLowerCase(Locale.ROOT), parallelism, partitions) + (repeat > 1 ? ", " + repeat + " rounds" : "")
                + (malformed > 0 ? String.format(Locale.ROOT, ", %.0f %% malformed records besides", malformed * 100)
                        : "");
    }

    /** "exactly-once" or "at-least-once", as the command line spells it. */
    public static String deliveryName(DeliveryGuarantee d) {
        return d.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** "exactly-once" or "at-least-once". */
    public static DeliveryGuarantee parseDelivery(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "exactly-once":
                return DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once":
                return DeliveryGuarantee.AT_LEAST_ONCE;
            default:
                throw new IllegalArgumentException("--delivery must be exactly-once or at-least-once, not '" + s + "'");
        }
    }

    private static Properties copy(Properties p) {
        Properties c = new Properties();
        c.putAll(p);
        return c;
    }

    /** Named settings with the defaults of {@code rnnstream bench kafka}. */
    public static final class Builder {
        private List<KafkaBenchStage> stages = List.of(KafkaBenchStage.ENGINE, KafkaBenchStage.KAFKA,
                KafkaBenchStage.PASSTHROUGH, KafkaBenchStage.KEYED, KafkaBenchStage.RNNSTREAM);
        private int keys = 2_000;
        private long events = 200_000;
        private long warmup = -1;
        private Duration pacedWarmUp = DEFAULT_PACED_WARM_UP;
        private int sequenceLength = 28;
        private long rate;
        private double malformed;
        private DeliveryGuarantee delivery = DeliveryGuarantee.EXACTLY_ONCE;
        private boolean lingerAlways;
        private WireFormat format = WireFormat.JSON;
        private Duration checkpointInterval = KafkaJob.DEFAULT_CHECKPOINT_INTERVAL;
        private long bufferTimeoutMs = io.rnnstream.job.JobOptions.DEFAULT_BUFFER_TIMEOUT.toMillis();
        private int stepBundle = io.rnnstream.job.StreamOptions.DEFAULT_STEP_BUNDLE;
        private KeyShuffle keyShuffle = KeyShuffle.AUTO;
        private int parallelism = 1;
        private int partitions = 2;
        private Duration timeout = Duration.ofSeconds(60);
        private int repeat = 1;
        private final Properties producerProperties = new Properties();
        private final Properties consumerProperties = new Properties();
        private final Properties jobKafkaProperties = new Properties();
        private Optional<Path> traceDir = Optional.empty();

        private Builder() {}

        public Builder stages(List<KafkaBenchStage> s) {
            this.stages = new ArrayList<>(s);
            return this;
        }

        public Builder keys(int n) {
            this.keys = n;
            return this;
        }

        public Builder events(long n) {
            this.events = n;
            return this;
        }

        /** -1: one pass over the keys, and at least a fifth of the events (as {@code bench}). */
        /**
         * The warm-up's last part sent at the rate ({@link #DEFAULT_PACED_WARM_UP} unless set): what the
         * JVMs compile for a paced run differs from an unpaced one (per request, not per record), so they
         * need time at the rate.
         */
        public Builder pacedWarmUp(Duration d) {
            this.pacedWarmUp = d;
            return this;
        }

        public Builder warmup(long n) {
            this.warmup = n;
            return this;
        }

        public Builder sequenceLength(int t) {
            this.sequenceLength = t;
            return this;
        }

        public Builder rate(long eventsPerSecond) {
            this.rate = eventsPerSecond;
            return this;
        }

        /**
         * Also send this many malformed records per event (0.1: one in ten more), each a different kind of
         * bad record in turn; they must all come out as dead letters, counted (the run fails otherwise).
         */
        public Builder malformed(double fraction) {
            this.malformed = fraction;
            return this;
        }

        public Builder delivery(DeliveryGuarantee d) {
            this.delivery = d;
            return this;
        }

        /** As {@code stream --linger-always} (default false: the job's default). */
        public Builder lingerAlways(boolean v) {
            this.lingerAlways = v;
            return this;
        }

        /** JSON (default) or Avro binary, for every record of every stage (the kafka anchor's too). */
        public Builder format(WireFormat f) {
            this.format = f;
            return this;
        }

        public Builder checkpointInterval(Duration d) {
            this.checkpointInterval = d;
            return this;
        }

        public Builder bufferTimeoutMs(long ms) {
            this.bufferTimeoutMs = ms;
            return this;
        }

        public Builder stepBundle(int n) {
            this.stepBundle = n;
            return this;
        }

        public Builder keyShuffle(KeyShuffle k) {
            this.keyShuffle = k;
            return this;
        }

        public Builder parallelism(int p) {
            this.parallelism = p;
            return this;
        }

        public Builder partitions(int p) {
            this.partitions = p;
            return this;
        }

        public Builder timeout(Duration d) {
            this.timeout = d;
            return this;
        }

        public Builder repeat(int n) {
            this.repeat = n;
            return this;
        }

        public Builder producerProperty(String key, String value) {
            producerProperties.setProperty(key, value);
            return this;
        }

        public Builder consumerProperty(String key, String value) {
            consumerProperties.setProperty(key, value);
            return this;
        }

        public Builder jobKafkaProperty(String key, String value) {
            jobKafkaProperties.setProperty(key, value);
            return this;
        }

        /** A directory for the latency traces (see {@link KafkaBenchSpec#traceDir()}). */
        public Builder traceDir(Path dir) {
            this.traceDir = Optional.of(dir);
            return this;
        }

        /** Checks every setting; the first wrong one is the exception's one-line message. */
        public KafkaBenchSpec build() {
            if (stages.isEmpty()) {
                throw new IllegalArgumentException("--stages must name at least one stage: "
                        + KafkaBenchStage.names());
            }
            if (keys < 1) {
                throw new IllegalArgumentException("--keys must be 1 or more, not " + keys);
            }
            if (sequenceLength < 1) {
                throw new IllegalArgumentException("--sequence-length must be 1 or more, not " + sequenceLength);
            }
            if (!(malformed >= 0 && malformed < 1)) {
                throw new IllegalArgumentException("--malformed must be a fraction in [0, 1), not " + malformed);
            }
            if (rate < 0) {
                throw new IllegalArgumentException("--rate must be 0 (unpaced) or more, not " + rate);
            }
            if (format == null) {
                throw new IllegalArgumentException("--format must be json or avro");
            }
            if (delivery != DeliveryGuarantee.EXACTLY_ONCE && delivery != DeliveryGuarantee.AT_LEAST_ONCE) {
                throw new IllegalArgumentException("--delivery must be exactly-once or at-least-once, not " + delivery);
            }
            if (checkpointInterval == null || checkpointInterval.isNegative() || checkpointInterval.isZero()) {
                throw new IllegalArgumentException("--checkpoint-interval must be positive, not " + checkpointInterval);
            }
            if (pacedWarmUp == null || pacedWarmUp.isNegative()) {
                throw new IllegalArgumentException("--paced-warmup must be 0 or more, not " + pacedWarmUp);
            }
            if (bufferTimeoutMs < -1) {
                throw new IllegalArgumentException("--buffer-timeout must be -1 (Flink's default), 0 or more, not "
                        + bufferTimeoutMs);
            }
            io.rnnstream.job.StreamOptions.defaults().stepBundle(stepBundle); // its own range check and message
            if (keyShuffle == null) {
                throw new IllegalArgumentException("--key-shuffle must be auto or always");
            }
            if (parallelism < 1 || partitions < 1) {
                throw new IllegalArgumentException("--parallelism and --partitions must be 1 or more, not "
                        + parallelism + " and " + partitions);
            }
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat must be 1 or more, not " + repeat);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("--timeout must be positive, not " + timeout);
            }
            long w = warmup >= 0 ? warmup : Math.max(keys, events / 5);
            if (events - w < 1000) {
                throw new IllegalArgumentException("--events " + events + " leaves " + (events - w) + " events after"
                        + " the warm-up of " + w + ": raise --events to at least " + (w + 1000));
            }
            return new KafkaBenchSpec(this);
        }
    }
}
