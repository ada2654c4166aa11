package io.rnnstream.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores the stream's output records against the true classes of the replayed sequences: running
 * accuracy on final records, accuracy against the number of timesteps seen (every per-step
 * record), early decisions (their precision and mean step), a confusion matrix, and latency
 * percentiles. Thread-safe: a consumer thread adds, the
 * display thread reads.
 */
public final class Scoreboard {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> classNames;
    private final int classes;
    private final Map<String, Integer> truth = new HashMap<>();
    private final long[] stepSeen;
    private final long[] stepCorrect;
    private final long[][] confusion;
    private long outputs;
    private long finals;
    private long finalsCorrect;
    private long unknownKeys;
    /** Key → the 1-based step of its first decision, until its final record scores it. */
    private final Map<String, Integer> decidedAt = new HashMap<>();
    private long decisions;
    private long decisionsCorrect;
    /** Over finished sequences: decision steps, an undecided sequence counted at its last step. */
    private long decisionStepSum;
    private long[] processingMs = new long[1024];
    private int processingCount;
    private long[] committedMs = new long[1024];
    private int committedCount;
    /** Outputs, and their processing and committed latency samples, by second since the first output. */
    private long firstWritten = -1;
    private final java.util.List<long[]> processingBySecond = new java.util.ArrayList<>();
    private final java.util.List<long[]> committedBySecond = new java.util.ArrayList<>();
    private final java.util.List<Integer> outputsBySecond = new java.util.ArrayList<>();

    /**
     * @param classNames the model's class names (index = class), or empty when labels are indices
     * @param maxSteps the longest sequence, for accuracy by timestep
     */
    public Scoreboard(List<String> classNames, int classes, int maxSteps) {
        this.classNames = List.copyOf(classNames);
        this.classes = classes;
        this.stepSeen = new long[maxSteps];
        this.stepCorrect = new long[maxSteps];
        this.confusion = new long[classes][classes];
    }

    public synchronized void expect(String key, int trueClass) {
        truth.put(key, trueClass);
    }

    /**
     * One output record as the job wrote it.
     *
     * @param processingMs from the event's record timestamp to the output's, or -1 when unknown
     * @param committedMs from the event's record timestamp until a read_committed consumer saw the
     *     output, or -1 when unknown
     */
    public void accept(String outputJson, long processingMs, long committedMs) {
        accept(outputJson, processingMs, committedMs, System.currentTimeMillis());
    }

    /** {@link #accept(String, long, long)} for an output that reached the consumer at {@code arrivedAtMs}. */
    void accept(String outputJson, long processingMs, long committedMs, long arrivedAtMs) {
        JsonNode n;
        try {
            n = JSON.readTree(outputJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an output record: " + outputJson, e);
        }
        String key = n.path("key").asText();
        int step = n.path("step").asInt(-1);
        int predicted = classOf(n.get("label"));
        boolean last = n.path("final").asBoolean(false);
        boolean decision = n.path("decision").asBoolean(false);
        synchronized (this) {
            Integer t = truth.get(key);
            if (t == null) {
                // Not a replayed sequence (the demo's warm-up, say): counted apart, never scored.
                unknownKeys++;
                return;
            }
            outputs++;
            bySecond(processingMs, committedMs, arrivedAtMs);
            if (processingMs >= 0) {
                processingCount = add(this.processingMs, processingCount, processingMs, true);
            }
            if (committedMs >= 0) {
                committedCount = add(this.committedMs, committedCount, committedMs, false);
            }
            if (step >= 0 && step < stepSeen.length) {
                stepSeen[step]++;
                if (predicted == t) {
                    stepCorrect[step]++;
                }
            }
            if (decision && step >= 0) {
                decidedAt.putIfAbsent(key, step + 1);
                decisions++;
                if (predicted == t) {
                    decisionsCorrect++;
                }
            }
            if (last) {
                Integer at = decidedAt.remove(key);
                decisionStepSum += at != null ? at : step + 1;
                finals++;
                if (predicted == t) {
                    finalsCorrect++;
                }
                if (predicted >= 0 && predicted < classes) {
                    confusion[t][predicted]++;
                }
            }
        }
    }

    /**
     * Files an output's processing latency under the second the job wrote it, and its committed latency
     * under the second it reached the consumer (both since the first output was written). Filed by arrival
     * alone, a run with checkpoints every 10 s would show processing latency only in the seconds its
     * commits landed in.
     */
    private void bySecond(long processing, long committed, long arrived) {
        // The consumer sees an output committed ms after its event was sent, the job wrote it processing ms after.
        long written = processing >= 0 && committed >= 0 ? arrived - committed + processing : arrived;
        if (firstWritten < 0) {
            firstWritten = written;
        }
        int writtenSec = second(written);
        int arrivedSec = second(arrived);
        outputsBySecond.set(writtenSec, outputsBySecond.get(writtenSec) + 1);
        append(processingBySecond, writtenSec, processing);
        append(committedBySecond, arrivedSec, committed);
    }

    /** The second {@code atMs} falls in since the first output was written, with a row for it and each before it. */
    private int second(long atMs) {
        int sec = (int) Math.max(0, (atMs - firstWritten) / 1000);
        while (outputsBySecond.size() <= sec) {
            outputsBySecond.add(0);
            processingBySecond.add(new long[] {0});
            committedBySecond.add(new long[] {0});
        }
        return sec;
    }

    /** Slot 0 of each second's array holds its count of samples. */
    private static void append(java.util.List<long[]> bySecond, int sec, long v) {
        if (v < 0) {
            return;
        }
        long[] a = bySecond.get(sec);
        int n = (int) a[0];
        if (n + 1 == a.length) {
            a = Arrays.copyOf(a, Math.max(16, a.length * 2));
            bySecond.set(sec, a);
        }
        a[n + 1] = v;
        a[0] = n + 1;
    }

    /**
     * Each second since the first output was written: [0] the second, [1] outputs the job wrote in it, [2]
     * their p99 processing latency in ms and [3] the p99 committed latency in ms of the outputs that became
     * visible in it (NaN for a second without samples).
     */
    public synchronized double[][] perSecond() {
        int n = outputsBySecond.size();
        double[][] r = new double[4][n];
        for (int s = 0; s < n; s++) {
            r[0][s] = s;
            r[1][s] = outputsBySecond.get(s);
            long[] p = processingBySecond.get(s);
            long[] c = committedBySecond.get(s);
            r[2][s] = p[0] == 0 ? Double.NaN : percentile(Arrays.copyOfRange(p, 1, (int) p[0] + 1), (int) p[0], 0.99);
            r[3][s] = c[0] == 0 ? Double.NaN : percentile(Arrays.copyOfRange(c, 1, (int) c[0] + 1), (int) c[0], 0.99);
        }
        return r;
    }

    /**
     * The q-quantile in ms of the latencies of outputs that arrived from {@code fromSecond} on (seconds
     * since the first output), processing or committed; -1 when there are none. The demo quotes the
     * second half of its run beside the whole: its JVMs compile for the first minute or so on two cores,
     * and that warm-up is not the latency of a job that has been running.
     */
    public synchronized long percentileFrom(int fromSecond, double q, boolean processing) {
        java.util.List<long[]> bySecond = processing ? processingBySecond : committedBySecond;
        int n = 0;
        for (int s = Math.max(0, fromSecond); s < bySecond.size(); s++) {
            n += (int) bySecond.get(s)[0];
        }
        long[] all = new long[n];
        int i = 0;
        for (int s = Math.max(0, fromSecond); s < bySecond.size(); s++) {
            long[] a = bySecond.get(s);
            System.arraycopy(a, 1, all, i, (int) a[0]);
            i += (int) a[0];
        }
        return n == 0 ? -1 : percentile(all, n, q);
    }

    /** Seconds since the first output that have outputs filed under them. */
    public synchronized int seconds() {
        return outputsBySecond.size();
    }

    /** The latency distribution: for each of {@code points} quantiles q, [0] q, [1] processing ms, [2] committed ms. */
    public synchronized double[][] latencyQuantiles(int points) {
        double[][] r = new double[3][points];
        for (int i = 0; i < points; i++) {
            double q = (i + 1) / (double) points;
            r[0][i] = q;
            long p = percentile(processingMs, processingCount, q);
            long c = percentile(committedMs, committedCount, q);
            r[1][i] = p < 0 ? Double.NaN : p;
            r[2][i] = c < 0 ? Double.NaN : c;
        }
        return r;
    }

    private int add(long[] current, int count, long v, boolean processing) {
        long[] a = current;
        if (count == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
            if (processing) {
                processingMs = a;
            } else {
                committedMs = a;
            }
        }
        a[count] = v;
        return count + 1;
    }

    private int classOf(JsonNode label) {
        if (label == null || label.isNull()) {
            return -1;
        }
        if (label.isNumber()) {
            return label.asInt();
        }
        int i = classNames.indexOf(label.asText());
        if (i >= 0) {
            return i;
        }
        try {
            return Integer.parseInt(label.asText());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public synchronized long outputs() {
        return outputs;
    }

    public synchronized long finals() {
        return finals;
    }

    /** Records of keys that were never expected (not in the count of outputs). */
    public synchronized long unknownKeys() {
        return unknownKeys;
    }

    /** Accuracy of the final classification over the sequences finished so far (NaN before the first). */
    public synchronized double accuracy() {
        return finals == 0 ? Double.NaN : (double) finalsCorrect / finals;
    }

    /** Sequences that made an early decision (a record with "decision": true). */
    public synchronized long decisions() {
        return decisions;
    }

    /** Share of decisions whose label was the true class (NaN before the first). */
    public synchronized double decisionPrecision() {
        return decisions == 0 ? Double.NaN : (double) decisionsCorrect / decisions;
    }

    /** Mean 1-based step of the first decision over finished sequences, undecided ones at their last step. */
    public synchronized double meanDecisionStep() {
        return finals == 0 ? Double.NaN : (double) decisionStepSum / finals;
    }

    /** Entry t: accuracy of the label emitted after t+1 timesteps. */
    public synchronized double[] accuracyByStep() {
        double[] a = new double[stepSeen.length];
        for (int t = 0; t < a.length; t++) {
            a[t] = stepSeen[t] == 0 ? Double.NaN : (double) stepCorrect[t] / stepSeen[t];
        }
        return a;
    }

    /** [true class][predicted class] counts over final records. */
    public synchronized long[][] confusion() {
        long[][] c = new long[classes][];
        for (int i = 0; i < classes; i++) {
            c[i] = confusion[i].clone();
        }
        return c;
    }

    /** The q-quantile (0..1) of processing latency in ms, or -1 when none was measured. */
    public synchronized long processingPercentile(double q) {
        return percentile(processingMs, processingCount, q);
    }

    public synchronized long committedPercentile(double q) {
        return percentile(committedMs, committedCount, q);
    }

    private static long percentile(long[] a, int n, double q) {
        if (n == 0) {
            return -1;
        }
        long[] s = Arrays.copyOf(a, n);
        Arrays.sort(s);
        int i = (int) Math.ceil(q * n) - 1;
        return s[Math.max(0, Math.min(n - 1, i))];
    }
}
