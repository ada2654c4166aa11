package io.rnnstream.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the operator thread's time goes, by stage of the data's path: a JFR recording of one bench run
 * (the JDK's own sampling profiler, in this JVM), its execution samples of the busiest task thread
 * other than the generator's, each sample filed under the stage its stack is in, and each stage's
 * share turned into µs per event with the run's own events per second (at parallelism 1 the operator
 * thread is the bottleneck: its wall time per event is 1 / events per second).
 *
 * <p>A sample goes to the stage of its innermost frame that names one; frames of the JDK and of Flink's
 * type serializers name none (a float[] copy is the state's when the state called it and the network's
 * when the record writer did), so the walk goes on to their caller.
 */
public final class StageProfile {
    /** Stages in the data's path, each with the frame prefixes that mark it; the first match wins. */
    private static final String[][] STAGES = {
        {"kernel (the step's arithmetic)", "io.rnnstream.model.", "jdk.incubator.vector."},
        {"keyed state (read, write, key groups)", "org.apache.flink.runtime.state.",
            "org.apache.flink.contrib.streaming.state.", "org.apache.flink.state.", "org.rocksdb.",
            "org.apache.flink.streaming.api.operators.StreamOperatorStateHandler",
            "org.apache.flink.streaming.api.operators.AbstractStreamOperator.setCurrentKey",
            "org.apache.flink.streaming.api.operators.AbstractStreamOperator.setKeyContextElement"},
        {"timers", "org.apache.flink.streaming.api.operators.InternalTimerServiceImpl",
            "org.apache.flink.streaming.api.operators.HeapInternalTimerService",
            "io.rnnstream.job.step.FlinkTimers"},
        {"order stage", "io.rnnstream.job.order."},
        {"sequence core and step operator (bookkeeping, head, emit)", "io.rnnstream.job.step.",
            "io.rnnstream.job.swap."},
        {"output record and JSON", "io.rnnstream.connectors.", "com.fasterxml.jackson."},
        // The SQL stage (RNN_CLASSIFY): Flink's process-table-function runtime around the same core.
        {"SQL: RNN_CLASSIFY's own code (rows to events, records to rows)", "io.rnnstream.sql."},
        {"SQL: state hashed to skip unchanged writes (PTF runtime)", "StateHashCode", "StateEquals",
            "org.apache.flink.table.runtime.generated.ProcessTableRunner.moveValueStateFromFunction"},
        {"SQL: conversions to and from Flink's row format (input row, state, output, Calc)",
            "org.apache.flink.table.data.conversion.", "org.apache.flink.table.data.writer.",
            "org.apache.flink.table.data.utils.", "org.apache.flink.table.data.GenericRowData",
            "org.apache.flink.table.data.RowData", "org.apache.flink.table.runtime.typeutils.", "io$rnnstream$",
            "org.apache.flink.types.Row",
            "StreamExecCalc", "org.apache.flink.table.runtime.operators.source.InputConversionOperator",
            "org.apache.flink.table.runtime.operators.sink.OutputConversionOperator"},
        {"SQL: the PTF operator, its contexts and collectors", "org.apache.flink.table.", "ProcessTableRunner$"},
        {"metrics", "org.apache.flink.metrics.", "org.apache.flink.runtime.metrics."},
        {"network in and out (records to and from buffers)", "org.apache.flink.runtime.io.network.",
            "org.apache.flink.streaming.runtime.io.", "org.apache.flink.runtime.io.",
            "org.apache.flink.streaming.runtime.streamrecord.", "org.apache.flink.runtime.plugable."},
        {"bench sink (measuring)", "io.rnnstream.bench."},
        {"chaining and the task's mailbox", "org.apache.flink.streaming.runtime.tasks.",
            "org.apache.flink.streaming.api.operators.", "org.apache.flink.runtime.taskmanager.",
            "org.apache.flink.streaming.api.functions."},
    };

    /** Frames that name no stage: the walk goes on to their caller. */
    private static final String[] NEUTRAL = {"java.", "javax.", "jdk.internal.", "sun.",
        "org.apache.flink.api.common.typeutils.", "org.apache.flink.api.java.typeutils.",
        "org.apache.flink.core.memory.", "org.apache.flink.util.",
        // Binary rows and strings serve state keys as much as conversions: their caller says which.
        "org.apache.flink.table.data.binary."};

    private static final String OTHER = "other";

    private StageProfile() {}

    /** Starts sampling this JVM every {@code period} (the JDK's "profile" settings otherwise). */
    public static Recording start(Duration period) throws IOException {
        Recording r;
        try {
            r = new Recording(Configuration.getConfiguration("profile"));
        } catch (ParseException e) {
            throw new IOException("the JDK's JFR 'profile' settings do not parse: " + e.getMessage(), e);
        }
        r.enable("jdk.ExecutionSample").withPeriod(period);
        r.setToDisk(true);
        r.start();
        return r;
    }

    /** One stage's part of the operator thread's samples. */
    public record Stage(String name, long samples, double share, double microsPerEvent) {}

    /** The stages of one run's operator thread, most expensive first, and the thread they were read from. */
    public record Costs(String thread, long samples, List<Stage> stages, List<Stage> hottestFrames) {
        /** Markdown tables: stage, samples, share, µs per event; then the same for the hottest frames. */
        public String table() {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"stage", "samples", "share", "µs/event"});
            for (Stage s : stages) {
                rows.add(new String[] {s.name(), String.format(Locale.ROOT, "%,d", s.samples()),
                    String.format(Locale.ROOT, "%.1f %%", 100 * s.share()),
                    String.format(Locale.ROOT, "%.2f", s.microsPerEvent())});
            }
            List<String[]> frames = new ArrayList<>();
            frames.add(new String[] {"hottest innermost frames", "samples", "share", "µs/event"});
            for (Stage s : hottestFrames) {
                frames.add(new String[] {s.name(), String.format(Locale.ROOT, "%,d", s.samples()),
                    String.format(Locale.ROOT, "%.1f %%", 100 * s.share()),
                    String.format(Locale.ROOT, "%.2f", s.microsPerEvent())});
            }
            return "thread: " + thread + ", " + String.format(Locale.ROOT, "%,d", samples) + " samples\n"
                    + MarkdownTable.of(rows, 2) + "\n" + MarkdownTable.of(frames, 2);
        }
    }

    /**
     * Reads a recording: the busiest thread whose name does not start with "Source" (the generator's
     * chain) and is not the JVM's own, split by stage.
     *
     * @param microsPerEvent the run's wall µs per event (1e6 / events per second)
     */
    public static Costs read(Path jfr, double microsPerEvent) throws IOException {
        return read(jfr, microsPerEvent, null);
    }

    /**
     * {@link #read(Path, double)} of the samples inside {@code window} only (all when null): the run's
     * measured events, without the warm-up, when the JIT's first tiers run the Vector API's slow Java
     * fallbacks and would otherwise be counted at the steady state's µs per event.
     */
    public static Costs read(Path jfr, double microsPerEvent, EndToEndBench.Window window) throws IOException {
        Map<String, Map<String, Long>> byThread = new HashMap<>();
        Map<String, Map<String, Long>> framesByThread = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getThread("sampledThread") == null) {
                continue;
            }
            if (window != null && (e.getStartTime().toEpochMilli() < window.fromMillis()
                    || e.getStartTime().toEpochMilli() > window.toMillis())) {
                continue;
            }
            String thread = e.getThread("sampledThread").getJavaName();
            if (thread == null || thread.startsWith("Source") || thread.startsWith("JFR")) {
                continue;
            }
            byThread.computeIfAbsent(thread, t -> new HashMap<>()).merge(stageOf(e.getStackTrace()), 1L, Long::sum);
            framesByThread.computeIfAbsent(thread, t -> new HashMap<>()).merge(topFrame(e.getStackTrace()), 1L,
                    Long::sum);
        }
        String busiest = null;
        long most = -1;
        for (Map.Entry<String, Map<String, Long>> t : byThread.entrySet()) {
            long n = t.getValue().values().stream().mapToLong(Long::longValue).sum();
            if (n > most) {
                most = n;
                busiest = t.getKey();
            }
        }
        if (busiest == null) {
            return new Costs("(no samples)", 0, List.of(), List.of());
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        byThread.get(busiest).entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(en -> counts.put(en.getKey(), en.getValue()));
        List<Stage> stages = new ArrayList<>();
        for (Map.Entry<String, Long> en : counts.entrySet()) {
            double share = en.getValue() / (double) most;
            stages.add(new Stage(en.getKey(), en.getValue(), share, share * microsPerEvent));
        }
        List<Stage> frames = new ArrayList<>();
        long total = most;
        framesByThread.get(busiest).entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(HOTTEST).forEach(en -> frames.add(new Stage(en.getKey(), en.getValue(),
                        en.getValue() / (double) total, en.getValue() / (double) total * microsPerEvent)));
        return new Costs(busiest, most, stages, frames);
    }

    private static final int HOTTEST = Integer.getInteger("rnnstream.bench.hottest", 10);

    private static String topFrame(RecordedStackTrace trace) {
        if (trace == null || trace.getFrames().isEmpty() || trace.getFrames().get(0).getMethod() == null) {
            return OTHER;
        }
        var m = trace.getFrames().get(0).getMethod();
        String type = m.getType() == null ? "?" : m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
    }

    static String stageOf(RecordedStackTrace trace) {
        if (trace == null) {
            return OTHER;
        }
        for (RecordedFrame f : trace.getFrames()) {
            if (f.getMethod() == null || f.getMethod().getType() == null) {
                continue;
            }
            String where = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            String stage = stageOf(where);
            if (stage != null) {
                return stage;
            }
        }
        return OTHER;
    }

    /** The stage a frame ("package.Class.method") names, or null when it names none. */
    static String stageOf(String frame) {
        for (String n : NEUTRAL) {
            if (frame.startsWith(n)) {
                return null;
            }
        }
        for (String[] s : STAGES) {
            for (int i = 1; i < s.length; i++) {
                if (frame.startsWith(s[i])) {
                    return s[0];
                }
            }
        }
        return OTHER;
    }
}
