package io.rnnstream.model.onnx;

import static io.rnnstream.model.onnx.OnnxWriter.attr;
import static io.rnnstream.model.onnx.OnnxWriter.attrFloats;
import static io.rnnstream.model.onnx.OnnxWriter.attrInts;
import static io.rnnstream.model.onnx.OnnxWriter.attrStrings;
import static io.rnnstream.model.onnx.OnnxWriter.floatTensor;
import static io.rnnstream.model.onnx.OnnxWriter.int64Tensor;
import static io.rnnstream.model.onnx.OnnxWriter.node;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Dropout;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.Recurrent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a model as a per-step ONNX graph: input {@code x} (batch, time, features), output
 * {@code y} (batch, time, K), the head at every step, exactly what {@code predict --sequences}
 * gives and the stream emits per event. Recurrent layers become ONNX RNN/LSTM/GRU nodes (gates
 * reordered, kernels transposed, the Keras bias as Wb with a zero Rb), so ONNX Runtime and our
 * importer both read it; opset 14, initial states left out (zero by the ONNX spec). The graph is
 * laid out as PyTorch exports it, node names included, so a re-import keeps the layer names.
 */
public final class OnnxExport {
    /** The opset written: RNN, LSTM and GRU as ONNX Runtime runs them, Squeeze with axes as an input. */
    public static final int OPSET = 14;
    /** IR version 7 goes with opset 14 (what torch.onnx.export writes for it). */
    static final int IR_VERSION = 7;

    private final List<OnnxWriter> nodes = new ArrayList<>();
    private final List<OnnxWriter> initializers = new ArrayList<>();
    private String cur = "x";

    private OnnxExport() {}

    /** Writes {@link #encode} through a temporary file beside {@code path}, so no reader sees half a file. */
    public static void write(Model model, Path path) {
        byte[] bytes = encode(model);
        Path abs = path.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ModelException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    public static byte[] encode(Model model) {
        String why = model.whyNotCausal();
        if (why != null) {
            throw new ModelException("an ONNX export is a per-step graph, and this model cannot run one step at a"
                    + " time: " + why);
        }
        return new OnnxExport().graph(model);
    }

    private byte[] graph(Model model) {
        boolean recurrent = model.topRecurrentIndex() >= 0;
        if (recurrent) {
            // ONNX's recurrent ops read (time, batch, features); PyTorch's batch_first graphs transpose so too.
            cur = add("Transpose", "/Transpose", List.of(cur), attrInts("perm", 1, 0, 2));
        }
        for (Layer l : model.layers()) {
            if (l instanceof Recurrent r) {
                recurrent(r);
            } else if (l instanceof Dense d) {
                dense(d);
            } else if (l instanceof Normalization n) {
                normalization(n);
            } else if (!(l instanceof Dropout)) {
                throw new ModelException("layer '" + l.name() + "' (" + l.type() + ") has no ONNX export: rnnstream"
                        + " exports SimpleRNN, LSTM, GRU, Dense, Normalization and Dropout");
            }
        }
        String last = recurrent ? add("Transpose", "/Transpose_1", List.of(cur), attrInts("perm", 1, 0, 2)) : cur;
        // The graph's output is named y: rename the last value with an Identity.
        nodes.add(node("Identity", "/Identity", List.of(last), List.of("y")));
        // Any length, as predict --sequences and the stream take any: a fixed T would only refuse the others.
        String t = "time";
        OnnxWriter g = OnnxWriter.graph(model.info().name(), nodes, initializers,
                List.of(OnnxWriter.floatValue("x", "batch", t, model.inputSize())),
                List.of(OnnxWriter.floatValue("y", "batch", t, model.outputSize())));
        String version = OnnxExport.class.getPackage().getImplementationVersion();
        return OnnxWriter.model(IR_VERSION, OPSET, "rnnstream", version == null ? "dev" : version, g);
    }

    private void recurrent(Recurrent r) {
        String op;
        GateLayout gates;
        List<String> acts;
        if (r instanceof Lstm l) {
            op = "LSTM";
            gates = GateLayout.LSTM;
            acts = List.of(act(r, l.recurrentActivation()), act(r, r.activation()), act(r, r.activation()));
        } else if (r instanceof Gru g) {
            op = "GRU";
            gates = GateLayout.GRU;
            acts = List.of(act(r, g.recurrentActivation()), act(r, r.activation()));
        } else {
            op = "RNN";
            gates = GateLayout.RNN;
            acts = List.of(act(r, r.activation()));
        }
        String p = "/" + r.name() + "/";
        int m = r.units();
        int gu = gates.gates() * m;
        var w = r.weights();
        String wName = p + "W";
        String rName = p + "R";
        initializers.add(floatTensor(wName, gates.toOnnx(w.get("kernel").data(), m, r.inputSize()), 1, gu,
                r.inputSize()));
        initializers.add(floatTensor(rName, gates.toOnnx(w.get("recurrent_kernel").data(), m, m), 1, gu, m));
        List<String> inputs = new ArrayList<>(List.of(cur, wName, rName));
        boolean resetAfter = r instanceof Gru g && g.resetAfter();
        if (r.useBias()) {
            float[] kb = w.get("bias").data();
            float[] b = new float[2 * gu];
            gates.biasToOnnx(kb, 0, b, 0, m);
            if (resetAfter) {
                gates.biasToOnnx(kb, gu, b, gu, m);
            }
            initializers.add(floatTensor(p + "B", b, 1, 2 * gu));
            inputs.add(p + "B");
        }
        List<OnnxWriter> attrs = new ArrayList<>();
        attrs.add(attr("hidden_size", m));
        attrs.add(attrStrings("activations", acts));
        List<Float> alphas = new ArrayList<>();
        List<Float> betas = new ArrayList<>();
        for (Activation a : r instanceof Lstm l ? List.of(l.recurrentActivation(), r.activation(), r.activation())
                : r instanceof Gru g ? List.of(g.recurrentActivation(), r.activation()) : List.of(r.activation())) {
            if (a == Activation.HARD_SIGMOID || a == Activation.HARD_SIGMOID_KERAS3) {
                alphas.add(a == Activation.HARD_SIGMOID ? 0.2f : 1f / 6);
                betas.add(0.5f);
            }
        }
        if (!alphas.isEmpty()) {
            attrs.add(attrFloats("activation_alpha", toArray(alphas)));
            attrs.add(attrFloats("activation_beta", toArray(betas)));
        }
        if (r instanceof Gru) {
            attrs.add(attr("linear_before_reset", resetAfter ? 1 : 0));
        }
        String y = add(op, p + op, inputs, attrs.toArray(OnnxWriter[]::new));
        // Y is (time, num_directions = 1, batch, units): drop the directions axis.
        String axes = constant(p + "axes", 1);
        cur = add("Squeeze", p + "Squeeze", List.of(y, axes));
    }

    private static String act(Recurrent r, Activation a) {
        return switch (a) {
            case TANH -> "Tanh";
            case SIGMOID -> "Sigmoid";
            case RELU -> "Relu";
            case HARD_SIGMOID, HARD_SIGMOID_KERAS3 -> "HardSigmoid";
            case SOFTSIGN -> "Softsign";
            case SOFTPLUS -> "Softplus";
            default -> throw new ModelException("layer '" + r.name() + "' uses activation " + a.fileName() + ", which"
                    + " ONNX's " + r.type() + " op does not offer (it has tanh, sigmoid, relu, hard_sigmoid, softsign"
                    + " and softplus)");
        };
    }

    private void dense(Dense d) {
        String p = "/" + d.name() + "/";
        var w = d.weights();
        initializers.add(floatTensor(p + "kernel", w.get("kernel").data(), d.inputSize(), d.units()));
        cur = add("MatMul", p + "MatMul", List.of(cur, p + "kernel"));
        if (d.useBias()) {
            initializers.add(floatTensor(p + "bias", w.get("bias").data(), d.units()));
            cur = add("Add", p + "Add", List.of(cur, p + "bias"));
        }
        Activation a = d.activation();
        switch (a) {
            case LINEAR -> { }
            case SOFTMAX -> cur = add("Softmax", p + "Softmax", List.of(cur), attr("axis", -1L));
            case SIGMOID -> cur = add("Sigmoid", p + "Sigmoid", List.of(cur));
            case TANH -> cur = add("Tanh", p + "Tanh", List.of(cur));
            case RELU -> cur = add("Relu", p + "Relu", List.of(cur));
            case ELU -> cur = add("Elu", p + "Elu", List.of(cur));
            case SELU -> cur = add("Selu", p + "Selu", List.of(cur));
            case SOFTPLUS -> cur = add("Softplus", p + "Softplus", List.of(cur));
            case SOFTSIGN -> cur = add("Softsign", p + "Softsign", List.of(cur));
            case EXPONENTIAL -> cur = add("Exp", p + "Exp", List.of(cur));
            case HARD_SIGMOID, HARD_SIGMOID_KERAS3 -> cur = add("HardSigmoid", p + "HardSigmoid", List.of(cur),
                    attr("alpha", a == Activation.HARD_SIGMOID ? 0.2f : 1f / 6), attr("beta", 0.5f));
            case RELU6 -> {
                initializers.add(floatTensor(p + "min", new float[] {0f}));
                initializers.add(floatTensor(p + "max", new float[] {6f}));
                cur = add("Clip", p + "Clip", List.of(cur, p + "min", p + "max"));
            }
            case SWISH -> {
                String s = add("Sigmoid", p + "Sigmoid", List.of(cur));
                cur = add("Mul", p + "Mul", List.of(cur, s));
            }
            default -> throw new ModelException("layer '" + d.name() + "' uses activation " + a.fileName()
                    + ", which has no ONNX export");
        }
    }

    private void normalization(Normalization n) {
        String p = "/" + n.name() + "/";
        float[] var = n.variance();
        float[] std = new float[var.length];
        for (int i = 0; i < var.length; i++) {
            std[i] = (float) Math.max(Math.sqrt(var[i]), Normalization.EPSILON);
        }
        initializers.add(floatTensor(p + "mean", n.mean(), var.length));
        initializers.add(floatTensor(p + "std", std, var.length));
        String centred = add("Sub", p + "Sub", List.of(cur, p + "mean"));
        cur = add("Div", p + "Div", List.of(centred, p + "std"));
    }

    private String constant(String name, long... values) {
        initializers.add(int64Tensor(name, values, values.length));
        return name;
    }

    /** Adds a node with one output, named after the node as PyTorch names them, and returns that name. */
    private String add(String op, String name, List<String> inputs, OnnxWriter... attrs) {
        String out = name + "_output_0";
        nodes.add(node(op, name, inputs, List.of(out), attrs));
        return out;
    }

    private static float[] toArray(List<Float> v) {
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return a;
    }
}
