package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The demo's short form, as CI runs it: everything embedded, the summary checked, nothing left behind. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shortDemoEndsWithItsSummaryAndLeavesNoProcess() throws Exception {
        inRepository(() -> runShortDemo("DataStream job"));
    }

    /** {@code demo --sql}: the same replay, scoreboard and report, the job run through RNN_CLASSIFY. */
    @Test
    void shortSqlDemoEndsWithTheSameSummary() throws Exception {
        inRepository(() -> runShortDemo("SQL job", "--sql"));
    }

    /** The warm-up: 180 digits unpaced, or thirty seconds of a paced replay; never more than a minute. */
    @Test
    void warmUpIsThirtySecondsOfAPacedReplay() {
        assertEquals(180, DemoCommand.warmUpSequences(0, 28));
        assertEquals(0.0, DemoCommand.warmUpRate(0, 180 * 28));
        assertEquals(4286, DemoCommand.warmUpSequences(4000, 28));
        assertEquals(4000.0, DemoCommand.warmUpRate(4000, 4286 * 28));
        assertEquals(180, DemoCommand.warmUpSequences(100, 28));
        assertEquals(100.0, DemoCommand.warmUpRate(100, 180 * 28));
        // A slow rate is raised: 180 digits at 50 events/s would take 101 s.
        assertEquals(180 * 28 / 60.0, DemoCommand.warmUpRate(50, 180 * 28));
    }

    interface Body {
        void run() throws Exception;
    }

    private static void inRepository(Body body) throws Exception {
        // The bundled model and data live at the repository root, one level above this module.
        System.setProperty("rnnstream.home", Path.of("..").toAbsolutePath().normalize().toString());
        System.setProperty("rnnstream.data.dir", Path.of("..", "data").toAbsolutePath().normalize().toString());
        try {
            body.run();
        } finally {
            System.clearProperty("rnnstream.home");
            System.clearProperty("rnnstream.data.dir");
        }
    }

    private void runShortDemo(String jobKind, String... extra) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Rnnstream.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        Path report = tmp.resolve("report");
        List<String> args = new ArrayList<>(List.of("demo", "--limit", "60", "--concurrent", "16", "--web-ui-port",
                Integer.toString(DemoCommand.freePortFrom(18081)), "--report", report.toString()));
        args.addAll(List.of(extra));
        int rc = cl.execute(args.toArray(new String[0]));
        String o = out.toString();
        assertEquals(0, rc, o + "\n" + err);
        assertTrue(o.contains("flink     " + (extra.length > 0 ? "SQL job" : "job")), jobKind + ": " + o);
        assertTrue(o.contains("60 held-out MNIST digits"), o);
        assertTrue(o.contains("events              1,680 in, 1,680 outputs, 0 dead letters"), o);
        Matcher acc = Pattern.compile("accuracy\\s+([0-9.]+)% of 60 digits").matcher(o);
        assertTrue(acc.find(), o);
        assertTrue(Double.parseDouble(acc.group(1)) >= 85.0, "the bundled model classifies: " + o);
        Matcher dec = Pattern.compile("early decisions     precision ([0-9.]+)% of [0-9,]+ decided, mean decision row"
                + " ([0-9.]+) of 28").matcher(o);
        assertTrue(dec.find(), o);
        assertTrue(Double.parseDouble(dec.group(1)) >= 80.0, "the bundled model's early decisions are right: " + o);
        for (String line : new String[] {"throughput", "processing latency  p50", "committed latency   p50", "report"}) {
            assertTrue(o.contains(line), line + " missing in\n" + o);
        }
        assertTrue(Files.size(report.resolve("index.html")) > 500);
        assertTrue(Files.size(report.resolve("accuracy-by-timestep.png")) > 1000);
        assertTrue(Files.size(report.resolve("confusion.png")) > 1000);
        assertTrue(Files.exists(report.resolve("metrics.json")));
        long brokers = ProcessHandle.current().descendants()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("kafka.Kafka")).count();
        assertEquals(0, brokers, "the demo's broker must be gone");
    }
}
