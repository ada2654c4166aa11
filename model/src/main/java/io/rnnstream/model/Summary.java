package io.rnnstream.model;

import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Recurrent;
import io.rnnstream.model.onnx.TorchParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Keras-style {@code model.summary()}: one row per layer with its output shape and parameter
 * count, the totals, and what the stream keeps per key. With {@code explain}, each layer's count
 * is worked out with the model's own numbers, and the words (units, timesteps, return_sequences)
 * are explained once.
 */
public final class Summary {
    private Summary() {}

    /** The summary drawn with Unicode box characters, as Keras 3 prints it. */
    public static String render(Model model, boolean explain) {
        return render(model, explain, true);
    }

    /**
     * @param unicode false for plain ASCII (a terminal or log that cannot show box characters)
     */
    public static String render(Model model, boolean explain, boolean unicode) {
        List<String[]> rows = new ArrayList<>();
        List<String> shapes = outputShapes(model);
        for (int i = 0; i < model.layers().size(); i++) {
            Layer l = model.layers().get(i);
            rows.add(new String[] {l.name() + " (" + l.type() + ")", shapes.get(i),
                    number(l.paramCount() + l.nonTrainableParamCount())});
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(model.info().name()).append("\"  (id ").append(model.id()).append(")\n");
        table(sb, new String[] {"Layer (type)", "Output Shape", "Param #"}, rows, unicode);
        long total = model.paramCount();
        long trainable = model.trainableParamCount();
        sb.append(" Total params: ").append(number(total)).append(" (").append(bytes(4 * total)).append(")\n");
        sb.append(" Trainable params: ").append(number(trainable)).append(" (").append(bytes(4 * trainable))
                .append(")\n");
        sb.append(" Non-trainable params: ").append(number(total - trainable)).append(" (")
                .append(bytes(4 * (total - trainable))).append(")\n");
        if (TorchParams.applies(model)) {
            long torch = TorchParams.count(model);
            sb.append(" PyTorch params: ").append(number(torch)).append(" (sum(p.numel()) of the module it was exported"
                    + " from").append(torch == total ? ")" : ": nn.RNN, nn.LSTM and nn.GRU keep two bias vectors per gate,"
                    + " b_ih and b_hh, where the table counts their sum once, as Keras does)").append('\n');
        }
        sb.append(" State kept per key: ").append(stateLine(model)).append('\n');
        String why = model.whyNotCausal();
        sb.append(" Streams one event at a time: ").append(why == null ? "yes" : "no — " + why).append('\n');
        training(sb, model);
        if (explain) {
            explain(sb, model);
        }
        String out = sb.toString();
        return unicode ? out : ascii(out);
    }

    /** Keras's output shapes: (None, T, K) while the layer still has timesteps, else (None, K). */
    static List<String> outputShapes(Model model) {
        String t = model.timesteps() < 0 ? "None" : Integer.toString(model.timesteps());
        List<String> shapes = new ArrayList<>();
        boolean sequence = true;
        for (Layer l : model.layers()) {
            sequence = l.keepsTimesteps(sequence);
            shapes.add(sequence ? "(None, " + t + ", " + l.outputSize() + ")" : "(None, " + l.outputSize() + ")");
        }
        return shapes;
    }

    /** How the head was trained, when the file says, and the decision table measured on validation. */
    private static void training(StringBuilder sb, Model model) {
        TrainingInfo t = model.info().training();
        sb.append(" Per-step outputs: ").append(perStepLine(model)).append('\n');
        if (t.calibrated()) {
            sb.append(String.format(Locale.ROOT, " Calibrated: softmax temperature %.4f (folded into the head) fitted"
                    + " on %d validation sequences; expected calibration error %.4f → %.4f%n", t.temperature(),
                    t.validationSequences(), t.eceBefore(), t.eceAfter()));
        }
        if (t.decisions().isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, " Early decisions on %d validation sequences (the first step whose top"
                + " probability reaches the threshold):%n", t.validationSequences()));
        sb.append("   threshold   precision   decided   mean decision step\n");
        for (TrainingInfo.DecisionPoint d : t.decisions()) {
            sb.append(String.format(Locale.ROOT, "   %9.3f   %9s   %7s   %6.2f of %.1f%n", d.threshold(),
                    Double.isNaN(d.precision()) ? "-" : String.format(Locale.ROOT, "%.3f", d.precision()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * d.decided()), d.meanDecisionStep(), d.meanLength()));
        }
        sb.append("   (stream --decide-at-precision Q takes the lowest threshold from which on every row reached Q)\n");
    }

    /** What the head's output at a step before the last is worth, as far as the file tells. */
    public static String perStepLine(Model model) {
        TrainingInfo t = model.info().training();
        if (t.perStepTrained()) {
            return "trained at every step (loss weights " + t.stepWeights() + "): early outputs are meant to be read";
        }
        if (TrainingInfo.LAST_STEP.equals(t.objective())) {
            return "trained on the last step only: outputs before it were never trained, so early decisions from"
                    + " them are unreliable (retrain with --loss every-step)";
        }
        return "the file does not say how the head was trained (Keras and imported files never do); a head"
                + " trained on the last step only gives untrained outputs before it";
    }

    private static String stateLine(Model model) {
        int floats = model.stateSize();
        if (floats == 0) {
            return "none (no recurrent layer)";
        }
        List<String> parts = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l.describeState() != null) {
                parts.add(l.name() + ": " + l.describeState());
            }
        }
        return number(floats) + " floats (" + number(4L * floats) + " bytes) — " + String.join(", ", parts)
                + "\n   besides, the stream keeps per key the sequence's bookkeeping (next step, flags) in the same"
                + " state value";
    }

    private static void explain(StringBuilder sb, Model model) {
        sb.append('\n').append(" How each count adds up:\n");
        for (Layer l : model.layers()) {
            sb.append("   ").append(l.name()).append(" (").append(l.type()).append("): ").append(l.explainParams())
                    .append('\n');
        }
        if (TorchParams.applies(model)) {
            sb.append('\n').append(" How PyTorch's count adds up (").append(number(TorchParams.count(model)))
                    .append(", what sum(p.numel()) printed for the module):\n");
            for (Layer l : model.layers()) {
                sb.append("   ").append(l.name()).append(": ").append(TorchParams.formula(l)).append('\n');
            }
        }
        sb.append('\n').append(" What the words mean:\n");
        String t = model.timesteps() < 0 ? "None" : Integer.toString(model.timesteps());
        String lengths = model.timesteps() < 0 ? "of any length (None)" : model.timesteps() + " steps long";
        sb.append("   (batch, timesteps, features) = (None, ").append(t).append(", ").append(model.inputSize())
                .append("): the input is any number of sequences (None), each ").append(lengths)
                .append(", each step ").append(model.inputSize()).append(" features; the stream sends one step"
                        + " (").append(model.inputSize()).append(" features) per event.\n");
        Recurrent first = null;
        for (Layer l : model.layers()) {
            if (l instanceof Recurrent r) {
                first = r;
                break;
            }
        }
        if (first != null) {
            sb.append("   units: the size of a recurrent layer's hidden state h, the numbers it carries from one step"
                    + " to the next and outputs at each step (").append(first.name()).append(": ")
                    .append(first.units()).append(").\n");
            sb.append("   return_sequences: True gives h at every step (None, T, units), False only the last"
                    + " (None, units); stacked recurrent layers need return_sequences=True on every recurrent layer"
                    + " but the last, so the next one gets a sequence.\n");
        }
        sb.append("   Param #: the weights the layer learned (Normalization's mean, variance and count are"
                + " computed from data, so not trainable).\n");
    }

    private static void table(StringBuilder sb, String[] head, List<String[]> rows, boolean unicode) {
        int[] w = {29, 22, 13};
        for (String[] r : rows) {
            for (int c = 0; c < 3; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        // corners and joints: top, below the header, between rows, bottom
        if (unicode) {
            rule(sb, w, "┏", "━", "┳", "┓");
            row(sb, w, head, "┃");
            rule(sb, w, "┡", "━", "╇", "┩");
            for (int i = 0; i < rows.size(); i++) {
                if (i > 0) {
                    rule(sb, w, "├", "─", "┼", "┤");
                }
                row(sb, w, rows.get(i), "│");
            }
            rule(sb, w, "└", "─", "┴", "┘");
        } else {
            rule(sb, w, "+", "-", "+", "+");
            row(sb, w, head, "|");
            rule(sb, w, "+", "=", "+", "+");
            for (String[] r : rows) {
                row(sb, w, r, "|");
            }
            rule(sb, w, "+", "-", "+", "+");
        }
    }

    private static void rule(StringBuilder sb, int[] w, String left, String line, String joint, String right) {
        sb.append(left);
        for (int c = 0; c < w.length; c++) {
            sb.append(line.repeat(w[c] + 2)).append(c == w.length - 1 ? right : joint);
        }
        sb.append('\n');
    }

    private static void row(StringBuilder sb, int[] w, String[] cells, String bar) {
        sb.append(bar);
        for (int c = 0; c < w.length; c++) {
            String pad = " ".repeat(w[c] - cells[c].length());
            // the count column is right-aligned, as in Keras
            sb.append(' ').append(c == 2 ? pad + cells[c] : cells[c] + pad).append(' ').append(bar);
        }
        sb.append('\n');
    }

    /** A count with thousands separators, as Keras prints it: 20,096. */
    public static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Keras's human-readable size: B, KB, MB, GB with two decimals, powers of 1024. */
    static String bytes(long b) {
        String[] units = {"B", "KB", "MB", "GB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    private static String ascii(String s) {
        return s.replace("×", "x").replace("—", "-").replace("·", "*").replace("…", "...");
    }
}
