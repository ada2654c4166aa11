package io.rnnstream.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long work: redrawn in place on a terminal, a plain line
 * every tenth of the way otherwise (CI logs, pipes).
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final String unit;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;
    private String suffix = "";

    public ProgressBar(String label, long total, String unit) {
        this(System.err, label, total, unit, System.console() != null);
    }

    ProgressBar(PrintStream out, String label, long total, String unit, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.terminal = terminal;
    }

    /** Extra text after the counts, e.g. "loss 0.31 acc 91.2%". */
    public synchronized void suffix(String s) {
        this.suffix = s == null ? "" : s;
    }

    public synchronized void update(long done) {
        long now = System.nanoTime();
        int decile = total > 0 ? (int) Math.min(10, done * 10 / total) : 0;
        if (terminal) {
            if (now - lastDraw < 100_000_000L && done < total) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(done, now) + "\u001b[K");
        } else if (decile != lastDecile) {
            lastDecile = decile;
            out.println(line(done, now));
        }
        out.flush();
    }

    public synchronized void finish(long done) {
        long now = System.nanoTime();
        if (terminal) {
            out.println("\r" + line(done, now) + "\u001b[K");
        } else if (lastDecile != 10) {
            out.println(line(done, now));
        }
        out.flush();
    }

    String line(long done, long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
            sb.append(String.format(Locale.ROOT, "%3d%% ", done * 100 / total));
            sb.append(String.format(Locale.ROOT, "%,d/%,d %s", done, total, unit));
        } else {
            sb.append(String.format(Locale.ROOT, "%,d %s", done, unit));
        }
        sb.append(String.format(Locale.ROOT, "  %,.0f %s/s", rate, unit));
        if (total > 0 && done > 0 && done < total) {
            sb.append(String.format(Locale.ROOT, "  ETA %.0fs", (total - done) / rate));
        }
        if (!suffix.isEmpty()) {
            sb.append("  ").append(suffix);
        }
        return sb.toString();
    }
}
