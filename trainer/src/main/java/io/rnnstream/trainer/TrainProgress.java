package io.rnnstream.trainer;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress on stderr: one line per epoch with its scores. On a terminal, the epoch's
 * batches show as a bar (me.tongfei:progressbar) that the epoch's line then replaces; elsewhere (CI
 * logs, pipes, tests) only the epoch lines, so the log has no carriage returns.
 */
public final class TrainProgress implements TrainListener {
    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;

    /** A bar when the JVM runs on a terminal. */
    public TrainProgress(PrintStream out) {
        this(out, System.console() != null);
    }

    public TrainProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void epochStart(int epoch, int epochs, int batches) {
        if (terminal) {
            bar = new ProgressBarBuilder()
                    .setTaskName("epoch " + epoch + "/" + epochs)
                    .setInitialMax(batches)
                    .setUnit(" batches", 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(100)
                    .clearDisplayOnFinish()
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }
    }

    @Override
    public void batchEnd(int epoch, int batch, int batches, double loss, double accuracy, double examplesPerSecond) {
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.3f %.0f ex/s", loss, accuracy,
                    examplesPerSecond));
        }
    }

    @Override
    public void epochEnd(EpochStats s, int epochs) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "epoch %d/%d  loss %.4f  acc %.4f", s.epoch(), epochs, s.loss(), s.accuracy()));
        if (s.hasValidation()) {
            line.append(String.format(Locale.ROOT, "  val_loss %.4f  val_acc %.4f", s.valLoss(), s.valAccuracy()));
        }
        line.append(String.format(Locale.ROOT, "  %.1f s  %.0f ex/s", s.seconds(), s.examplesPerSecond()));
        out.println(line);
    }

    @Override
    public void message(String text) {
        out.println(text);
    }
}
