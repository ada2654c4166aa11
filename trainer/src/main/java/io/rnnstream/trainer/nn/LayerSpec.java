package io.rnnstream.trainer.nn;

import io.rnnstream.model.ModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One recurrent layer of a {@code --layers} stack: its type and units, e.g. {@code LSTM(64)}. */
public record LayerSpec(Type type, int units) {
    public enum Type {
        SIMPLE_RNN("SimpleRNN"),
        LSTM("LSTM"),
        GRU("GRU");

        private final String kerasName;

        Type(String kerasName) {
            this.kerasName = kerasName;
        }

        public String kerasName() {
            return kerasName;
        }
    }

    private static final Pattern ONE = Pattern.compile("\\s*([A-Za-z]+)\\s*\\(\\s*(\\d+)\\s*\\)\\s*");

    public LayerSpec {
        if (units < 1) {
            throw new ModelException("a recurrent layer needs at least 1 unit, not " + units);
        }
    }

    /** Parses {@code "LSTM(64),LSTM(32)"}: bottom layer first. */
    public static List<LayerSpec> parseList(String s) {
        List<LayerSpec> out = new ArrayList<>();
        // Split on the commas between layers, not inside parentheses.
        for (String part : s.split(",(?![^(]*\\))")) {
            Matcher m = ONE.matcher(part);
            if (!m.matches()) {
                throw new ModelException("--layers: cannot read '" + part.strip() + "'; write e.g. \"SimpleRNN(128)\","
                        + " \"LSTM(64)\", \"GRU(32)\" or a stack \"LSTM(64),LSTM(32)\"");
            }
            Type t = switch (m.group(1).toLowerCase(Locale.ROOT)) {
                case "simplernn", "rnn", "simple_rnn" -> Type.SIMPLE_RNN;
                case "lstm" -> Type.LSTM;
                case "gru" -> Type.GRU;
                default -> throw new ModelException("--layers: unknown layer type '" + m.group(1)
                        + "'; use SimpleRNN, LSTM or GRU");
            };
            out.add(new LayerSpec(t, Integer.parseInt(m.group(2))));
        }
        if (out.isEmpty()) {
            throw new ModelException("--layers: give at least one recurrent layer, e.g. \"LSTM(64)\"");
        }
        return out;
    }

    public static String format(List<LayerSpec> specs) {
        List<String> parts = new ArrayList<>();
        for (LayerSpec l : specs) {
            parts.add(l.toString());
        }
        return String.join(",", parts);
    }

    @Override
    public String toString() {
        return type.kerasName() + "(" + units + ")";
    }
}
