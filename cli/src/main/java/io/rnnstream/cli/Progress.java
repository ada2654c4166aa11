package io.rnnstream.cli;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar (me.tongfei:progressbar, which draws it, counts the rate and the ETA) on stderr for
 * long work: redrawn in place on a terminal; elsewhere (CI logs, pipes, tests) a plain line every
 * tenth of the way and the last one, so a log never holds carriage returns or a line per redraw.
 */
final class Progress implements AutoCloseable {
    /** Columns of a line off a terminal, where there is no width to ask. */
    static final int LOG_WIDTH = 110;

    private final ProgressBar bar;
    private final EveryTenth log;

    private Progress(ProgressBar bar, EveryTenth log) {
        this.bar = bar;
        this.log = log;
    }

    /** On stderr, redrawn when the JVM runs on a terminal. {@code max} ≤ 0: a count without a bar. */
    static Progress start(String task, long max, String unit) {
        return start(System.err, task, max, unit, System.console() != null);
    }

    static Progress start(PrintStream out, String task, long max, String unit, boolean terminal) {
        EveryTenth log = terminal ? null : new EveryTenth(out);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max > 0 ? max : -1)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(100)
                .showSpeed(new DecimalFormat("#,##0"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(out) : log)
                .build();
        if (log != null) {
            log.bar = bar;
        }
        return new Progress(bar, log);
    }

    void update(long done) {
        bar.stepTo(done);
    }

    /** Extra text after the counts, e.g. "accuracy 91.2%". */
    void message(String text) {
        // The library writes the message right after the speed: a separator keeps the two apart.
        bar.setExtraMessage(" · " + text);
    }

    /** Draws the final count and ends the line. */
    void finish(long done) {
        if (log != null) {
            log.finalCount = done;
        }
        update(done);
        close();
    }

    @Override
    public void close() {
        bar.close();
        if (log != null) {
            // The library closes its consumer only when it has drawn before; a bar shorter than one
            // redraw interval would lose its last line.
            log.close();
        }
    }

    /** Prints the bar's line when it has crossed a tenth; the last line, if not printed, at the end. */
    private static final class EveryTenth implements ProgressBarConsumer {
        private final PrintStream out;
        /** Set right after the bar is built; until then (its first draw) there is nothing to count. */
        private volatile ProgressBar bar;
        private int lastTenth = -1;
        private long lastPrinted = -1;
        private String unprinted;
        private String printedLine;
        private String latestLine;
        /** The count {@link Progress#finish} ended at, or -1. */
        private volatile long finalCount = -1;

        EveryTenth(PrintStream out) {
            this.out = out;
        }

        @Override
        public int getMaxRenderedLength() {
            return LOG_WIDTH;
        }

        @Override
        public synchronized void accept(String line) {
            ProgressBar b = bar;
            if (b == null) {
                return;
            }
            // The library renders a line on its own thread and hands it over later, so the count read here
            // can be newer than the one the line shows: the last line's own count is checked at close().
            long done = b.getCurrent();
            int tenth = b.getMax() > 0 ? (int) Math.min(10, done * 10 / b.getMax()) : 0;
            latestLine = line.strip();
            if (tenth != lastTenth) {
                lastTenth = tenth;
                lastPrinted = done;
                print(latestLine);
                unprinted = null;
            } else if (done != lastPrinted) {
                unprinted = latestLine;
            }
        }

        private void print(String l) {
            out.println(l);
            out.flush();
            printedLine = l;
        }

        @Override
        public synchronized void close() {
            String last = unprinted;
            long end = finalCount;
            if (end >= 0 && latestLine != null && (printedLine == null || !printedLine.contains(" " + end + "/"))) {
                last = latestLine;
            }
            if (last != null && !last.equals(printedLine)) {
                print(last);
            }
            unprinted = null;
            out.flush();
        }
    }
}
