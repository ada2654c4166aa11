package io.rnnstream.bench.harness.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a soak runs: a fixed rate for a fixed time through a real broker and {@code rnnstream stream} in a
 * JVM of its own, over a population of keys that keeps turning over, then silence until the idle
 * timeout and the TTL have had their say. Built with {@link #builder()}; every setting has a name.
 */
public final class SoakSpec {
    private final Duration traffic;
    private final long rate;
    private final int keys;
    private final int sequenceLength;
    private final double abandoned;
    private final Duration idleTimeout;
    private final Duration stateTtl;
    private final Duration checkpointInterval;
    private final Duration sampleEvery;
    private final Duration fullGcEvery;
    private final Duration warmup;
    private final Duration drainTimeout;
    private final String delivery;
    private final String jobHeap;
    private final String jobMainClass;
    private final List<SoakBound> bounds;

    private SoakSpec(Builder b) {
        this.traffic = b.traffic;
        this.rate = b.rate;
        this.keys = b.keys;
        this.sequenceLength = b.sequenceLength;
        this.abandoned = b.abandoned;
        this.idleTimeout = b.idleTimeout;
        this.stateTtl = b.stateTtl;
        this.checkpointInterval = b.checkpointInterval;
        this.sampleEvery = b.sampleEvery;
        this.fullGcEvery = b.fullGcEvery;
        this.warmup = b.warmup;
        this.drainTimeout = b.drainTimeout;
        this.delivery = b.delivery;
        this.jobHeap = b.jobHeap;
        this.jobMainClass = b.jobMainClass;
        this.bounds = List.copyOf(b.bounds);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How long the generator sends. */
    public Duration traffic() {
        return traffic;
    }

    /** Events a second, paced. */
    public long rate() {
        return rate;
    }

    /** Sequences running at once: each slot starts a fresh key when its sequence ends or is abandoned. */
    public int keys() {
        return keys;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    /** The fraction of sequences the generator stops sending midway: the idle timeout ends them. */
    public double abandoned() {
        return abandoned;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The job's {@code --state-ttl}; null: the job's default (2 × idle timeout + 1 min). */
    public Duration stateTtl() {
        return stateTtl;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Duration sampleEvery() {
        return sampleEvery;
    }

    /** How often the job's JVM is asked for a full GC (jcmd GC.run), whose result is the live heap. */
    public Duration fullGcEvery() {
        return fullGcEvery;
    }

    /** The start of the traffic left out of the slopes: JIT compiling and the key population filling up. */
    public Duration warmup() {
        return warmup;
    }

    /** How long, after the traffic stops, state may take to come back to its baseline. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    public String delivery() {
        return delivery;
    }

    public String jobHeap() {
        return jobHeap;
    }

    public String jobMainClass() {
        return jobMainClass;
    }

    public List<SoakBound> bounds() {
        return bounds;
    }

    /** Seconds between two events of one key: the idle timeout must be well above it. */
    public double secondsBetweenSteps() {
        return (double) keys / rate;
    }

    public String describe() {
        return String.format(Locale.ROOT, "%d events/s for %s over %,d concurrent keys (sequences of %d steps, %.0f %%"
                + " abandoned midway), idle timeout %s, state TTL %s, %s, checkpoints every %s, job heap %s,"
                + " samples every %s, full GC every %s, first %s left out of the slopes", rate, human(traffic), keys,
                sequenceLength, 100 * abandoned, human(idleTimeout), stateTtl == null ? "default" : human(stateTtl),
                delivery, human(checkpointInterval), jobHeap, human(sampleEvery), human(fullGcEvery), human(warmup));
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    /** Named settings; defaults are the long form's. */
    public static final class Builder {
        private Duration traffic = Duration.ofMinutes(30);
        private long rate = 500;
        private int keys = 1000;
        private int sequenceLength = 28;
        private double abandoned = 0.2;
        private Duration idleTimeout = Duration.ofSeconds(15);
        private Duration stateTtl;
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private Duration sampleEvery = Duration.ofSeconds(10);
        private Duration fullGcEvery = Duration.ofSeconds(60);
        private Duration warmup = Duration.ofMinutes(2);
        private Duration drainTimeout;
        private String delivery = "at-least-once";
        private String jobHeap = "512m";
        private String jobMainClass = "io.rnnstream.cli.Rnnstream";
        private final List<SoakBound> bounds = new ArrayList<>(SoakBound.defaults());

        private Builder() {}

        public Builder traffic(Duration d) {
            this.traffic = d;
            return this;
        }

        public Builder rate(long eventsPerSecond) {
            this.rate = eventsPerSecond;
            return this;
        }

        public Builder keys(int concurrent) {
            this.keys = concurrent;
            return this;
        }

        public Builder sequenceLength(int steps) {
            this.sequenceLength = steps;
            return this;
        }

        public Builder abandoned(double fraction) {
            this.abandoned = fraction;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder stateTtl(Duration d) {
            this.stateTtl = d;
            return this;
        }

        public Builder checkpointInterval(Duration d) {
            this.checkpointInterval = d;
            return this;
        }

        public Builder sampleEvery(Duration d) {
            this.sampleEvery = d;
            return this;
        }

        public Builder fullGcEvery(Duration d) {
            this.fullGcEvery = d;
            return this;
        }

        public Builder warmup(Duration d) {
            this.warmup = d;
            return this;
        }

        public Builder drainTimeout(Duration d) {
            this.drainTimeout = d;
            return this;
        }

        public Builder delivery(String d) {
            this.delivery = d;
            return this;
        }

        public Builder jobHeap(String xmx) {
            this.jobHeap = xmx;
            return this;
        }

        /** The CLI's main class, run as {@code MAIN stream ...}: the harness does not depend on the CLI. */
        public Builder jobMainClass(String className) {
            this.jobMainClass = className;
            return this;
        }

        /** Replaces the bound of the same metric. */
        public Builder bound(SoakBound b) {
            bounds.removeIf(x -> x.metric().equals(b.metric()));
            bounds.add(b);
            return this;
        }

        public SoakSpec build() {
            if (traffic.isNegative() || traffic.isZero()) {
                throw new IllegalArgumentException("the traffic must last a while, not " + traffic);
            }
            if (rate < 1 || keys < 1 || sequenceLength < 2) {
                throw new IllegalArgumentException("rate, keys must be ≥ 1 and the sequence length ≥ 2");
            }
            if (abandoned < 0 || abandoned >= 1) {
                throw new IllegalArgumentException("--abandoned is a fraction in [0, 1), not " + abandoned);
            }
            if (!delivery.equals("at-least-once") && !delivery.equals("exactly-once")) {
                throw new IllegalArgumentException("delivery is exactly-once or at-least-once, not " + delivery);
            }
            // A key's next step must come well inside its idle timeout, or running sequences would time out.
            if (idleTimeout.toMillis() < 3_000 * keys / rate) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the idle timeout (%s) must be at least"
                        + " three times the gap between one key's steps (keys / rate = %.1f s)", human(idleTimeout),
                        (double) keys / rate));
            }
            if (!warmup.minus(traffic).isNegative()) {
                throw new IllegalArgumentException("the warm-up left out of the slopes (" + human(warmup) + ") must be"
                        + " shorter than the traffic (" + human(traffic) + ")");
            }
            if (drainTimeout == null) {
                // Idle timeout, then one more for the ended sequence's tombstone, then the TTL as a backstop.
                Duration ttl = stateTtl != null ? stateTtl : idleTimeout.multipliedBy(2).plusMinutes(1);
                drainTimeout = ttl.plus(idleTimeout.multipliedBy(2)).plusSeconds(30);
            }
            return new SoakSpec(this);
        }
    }
}
