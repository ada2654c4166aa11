package io.rnnstream.trainer;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One line per epoch on a terminal stream, redrawn in place as batches finish:
 * {@code epoch 3/20 [=========>          ] 45% loss 0.3121 acc 0.902 1830 ex/s}; at the epoch's
 * end the line is finished with the epoch's time and validation scores.
 */
public final class ProgressBar implements TrainListener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private long lastDraw;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void batchEnd(int epoch, int batch, int batches, double loss, double accuracy, double examplesPerSecond) {
        long now = System.nanoTime();
        if (batch < batches && now - lastDraw < 100_000_000L) {
            return; // at most ten redraws a second
        }
        lastDraw = now;
        int filled = (int) ((long) WIDTH * batch / batches);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        out.print(String.format(Locale.ROOT, "\repoch %d [%s] %3d%% loss %.4f acc %.3f %.0f ex/s", epoch, bar,
                100 * batch / batches, loss, accuracy, examplesPerSecond));
        out.flush();
    }

    @Override
    public void epochEnd(EpochStats s, int epochs) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "\repoch %d/%d  loss %.4f  acc %.4f", s.epoch(), epochs, s.loss(), s.accuracy()));
        if (s.hasValidation()) {
            line.append(String.format(Locale.ROOT, "  val_loss %.4f  val_acc %.4f", s.valLoss(), s.valAccuracy()));
        }
        line.append(String.format(Locale.ROOT, "  %.1f s  %.0f ex/s", s.seconds(), s.examplesPerSecond()));
        // Pad over the longer progress line before ending it.
        while (line.length() < WIDTH + 60) {
            line.append(' ');
        }
        out.println(line);
    }

    @Override
    public void message(String text) {
        out.println(text);
    }
}
