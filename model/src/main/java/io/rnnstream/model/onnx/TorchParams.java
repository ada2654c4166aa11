package io.rnnstream.model.onnx;

import io.rnnstream.model.Model;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Recurrent;
import java.util.Locale;

/**
 * Parameters as PyTorch counts them, {@code sum(p.numel() for p in model.parameters())}: its
 * nn.RNN, nn.LSTM and nn.GRU keep two bias vectors per gate (b_ih and b_hh) where Keras keeps one
 * (their sum, which is all the step needs), so an imported model has more parameters in PyTorch's
 * count than in the Keras-style table. A GRU with reset_after keeps both in Keras too.
 */
public final class TorchParams {
    private TorchParams() {}

    /** True for a model imported from ONNX: its users know the count PyTorch printed. */
    public static boolean applies(Model model) {
        return model.info().source().startsWith(OnnxImport.SOURCE_PREFIX);
    }

    public static long count(Model model) {
        long n = 0;
        for (Layer l : model.layers()) {
            n += count(l);
        }
        return n;
    }

    public static long count(Layer l) {
        return l.paramCount() + l.nonTrainableParamCount() + secondBias(l);
    }

    /** The b_hh PyTorch keeps apart, folded here into the one Keras bias. */
    static long secondBias(Layer l) {
        if (l instanceof Recurrent r && r.useBias() && !(r instanceof Gru g && g.resetAfter())) {
            return (long) r.gates() * r.units();
        }
        return 0;
    }

    /** The count worked out with the layer's numbers, and the PyTorch parameters it sums. */
    public static String formula(Layer l) {
        long n = count(l);
        if (l instanceof Recurrent r) {
            String gates = r.gates() == 1 ? "" : r.gates() + " × ";
            String rows = r.gates() == 1 ? Integer.toString(r.units()) : r.gates() + "·" + r.units();
            String bias = r.useBias() ? " + 2" : "";
            String params = "weight_ih (" + rows + " × " + r.inputSize() + ") + weight_hh (" + rows + " × " + r.units()
                    + ")" + (r.useBias() ? " + bias_ih + bias_hh (" + rows + " each"
                            + (secondBias(l) > 0 ? "; summed here into one Keras bias)" : ")") : "");
            return gates + r.units() + " × (" + r.inputSize() + " + " + r.units() + bias + ") = " + number(n) + "   ["
                    + params + "]";
        }
        if (l instanceof Dense d) {
            return d.units() + " × " + (d.useBias() ? "(" + d.inputSize() + " + 1)" : d.inputSize()) + " = " + number(n)
                    + "   [nn.Linear: weight (" + d.units() + " × " + d.inputSize() + ")"
                    + (d.useBias() ? " + bias (" + d.units() + ")" : "") + "]";
        }
        return number(n);
    }

    /** The model's layers as PyTorch modules would name them, e.g. {@code nn.LSTM(20, 48)}. */
    static String module(Layer l) {
        if (l instanceof Lstm r) {
            return "nn.LSTM(" + r.inputSize() + ", " + r.units() + ")";
        }
        if (l instanceof Gru r) {
            return "nn.GRU(" + r.inputSize() + ", " + r.units() + ")";
        }
        if (l instanceof Recurrent r) {
            return "nn.RNN(" + r.inputSize() + ", " + r.units() + ")";
        }
        if (l instanceof Dense d) {
            return "nn.Linear(" + d.inputSize() + ", " + d.units() + ")";
        }
        return l.type();
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
