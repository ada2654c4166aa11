package io.rnnstream.model.onnx;

import com.google.protobuf.ByteString;
import io.rnnstream.model.Activation;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.GivenSettings;
import io.rnnstream.model.layers.Gru;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.LayerType;
import io.rnnstream.model.layers.Lstm;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import io.rnnstream.model.onnx.OnnxGraph.Attribute;
import io.rnnstream.model.onnx.OnnxGraph.Node;
import io.rnnstream.model.onnx.OnnxGraph.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Follows the sequence from the graph's input to its output, node by node, and turns what it
 * passes through into layers. Along the way it tracks what each axis of the data is (batch, time,
 * features, or a size-1 axis such as ONNX's num_directions), so that the glue PyTorch writes
 * between layers (Transpose, Squeeze, Unsqueeze, Slice) is checked rather than trusted, and a
 * Gather or Slice of the last step is recognised as "the head reads the last step". Nodes off
 * the data path are read only where the path needs them: constants (axes, indices), weights, and
 * initial states, which must be zero.
 */
final class OnnxGraphMapper {
    static final String SUPPORTED = "RNN, LSTM, GRU (direction forward), MatMul + Add or Gemm, Softmax, Sigmoid,"
            + " Tanh, Relu (and Elu, Selu, Softplus, Softsign, Exp, HardSigmoid, Clip 0..6), Sub then Div by constants (a Normalization), and the glue between them (Transpose, Squeeze, Unsqueeze, Slice or Gather of the last"
            + " step, Identity, Dropout, Cast, Shape)";

    // Axis labels. The input's two leading axes are "a0" and "a1" until a recurrent op says which is time.
    private static final String FEATURES = "F";
    /** A size-1 axis: ONNX's num_directions, an Unsqueeze, or time after a Slice of the last step. */
    private static final String ONE = "1";

    /** The data at one value of the graph: its axes, features per step, and what it has been through. */
    private record Flow(List<String> axes, int features, boolean lastStep, DenseStage open, boolean cell,
            float[] centredBy) {
        Flow(List<String> axes, int features, boolean lastStep, DenseStage open, boolean cell) {
            this(axes, features, lastStep, open, cell, null);
        }

        Flow with(List<String> newAxes) {
            return new Flow(List.copyOf(newAxes), features, lastStep, open, cell, centredBy);
        }
    }

    /** A Dense layer in the making: MatMul or Gemm gives its kernel; an Add and an activation may follow. */
    private static final class DenseStage {
        String name;
        int inputSize;
        int units;
        float[] kernel;
        float[] bias;
        Activation activation = Activation.LINEAR;
    }

    private final OnnxGraph g;
    private final Map<String, Node> producer = new HashMap<>();
    private final Map<String, Flow> flows = new HashMap<>();
    /**
     * In order: a Layer factory for each recurrent layer (return_sequences decided at the end), a
     * DenseStage, or a finished Layer.
     */
    private final List<Object> stages = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private String timeAxis;
    private String inputName;
    private long[] inputShape;
    private int timesteps = -1;

    private OnnxGraphMapper(OnnxGraph g) {
        this.g = g;
    }

    record Mapped(int timesteps, List<Layer> layers) {}

    static Mapped map(OnnxGraph g) {
        OnnxGraphMapper m = new OnnxGraphMapper(g);
        return m.run();
    }

    private Mapped run() {
        if (g.opset() >= 0 && g.opset() < 7) {
            throw new ModelException("the file uses ONNX opset " + g.opset() + "; rnnstream reads opset 7 and later:"
                    + " export it again with a newer opset_version (torch.onnx.export(..., opset_version=14))");
        }
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        findInput();
        for (Node n : g.nodes()) {
            boolean onPath = false;
            for (String in : n.inputs()) {
                onPath |= flows.containsKey(in);
            }
            if (onPath) {
                step(n);
            }
        }
        if (g.outputs().isEmpty()) {
            throw new ModelException("the graph has no output");
        }
        ValueInfo out = g.outputs().get(0);
        Flow f = flows.get(out.name());
        if (f == null) {
            throw new ModelException("the graph's output '" + out.name() + "' does not follow from its input '"
                    + inputName + "': rnnstream imports one input sequence and one output");
        }
        if (g.outputs().size() > 1) {
            throw new ModelException("the graph has " + g.outputs().size() + " outputs (" + names(g.outputs())
                    + "); rnnstream serves one: export the module so that it returns only the head's output"
                    + " (not the recurrent states)");
        }
        if (f.cell()) {
            throw new ModelException("the graph's output is an LSTM's cell state c, not a per-step output");
        }
        if (!f.axes().get(f.axes().size() - 1).equals(FEATURES)) {
            throw new ModelException("the graph's output " + axes(f) + " does not end in its features");
        }
        return new Mapped(timesteps, layers(f.lastStep()));
    }

    private List<Layer> layers(boolean lastStep) {
        int lastRecurrent = -1;
        for (int i = 0; i < stages.size(); i++) {
            if (!(stages.get(i) instanceof DenseStage)) {
                lastRecurrent = i;
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Object s = stages.get(i);
            if (s instanceof Layer l) {
                layers.add(l);
            } else if (s instanceof DenseStage d) {
                layers.add(Dense.TYPE.read(GivenSettings.builder(d.name)
                        .set("units", d.units)
                        .set("input_size", d.inputSize)
                        .set("activation", d.activation)
                        .set("use_bias", d.bias != null)
                        .weight("kernel", Tensor.of(d.kernel, d.inputSize, d.units))
                        .weight("bias", d.bias == null ? null : Tensor.of(d.bias, d.units))
                        .build()));
            } else {
                @SuppressWarnings("unchecked")
                Function<Boolean, Layer> recurrent = (Function<Boolean, Layer>) s;
                // The head of a last-step graph reads the top layer's last step: return_sequences=False,
                // which per event is the same model as a head at every step.
                layers.add(recurrent.apply(i != lastRecurrent || !lastStep));
            }
        }
        if (layers.isEmpty()) {
            throw new ModelException("nothing between the input and the output is a layer rnnstream runs");
        }
        return layers;
    }

    // ------------------------------------------------------------------------------------ input

    private void findInput() {
        List<ValueInfo> data = new ArrayList<>();
        for (ValueInfo v : g.inputs()) {
            if (!g.initializers().containsKey(v.name())) {
                data.add(v);
            }
        }
        if (data.size() != 1) {
            throw new ModelException("the graph takes " + data.size() + " inputs (" + names(data) + "); rnnstream"
                    + " imports a graph with one input, the sequence: export the module with zero initial states"
                    + " (call it without h0/c0)");
        }
        ValueInfo in = data.get(0);
        inputName = in.name();
        inputShape = in.shape();
        if (in.elemType() != OnnxTensor.FLOAT && in.elemType() != OnnxTensor.DOUBLE && in.elemType() != 0) {
            throw new ModelException("the graph's input '" + in.name() + "' is " + OnnxTensor.typeName(in.elemType())
                    + "; rnnstream feeds float32 features");
        }
        if (inputShape.length != 3) {
            throw new ModelException("the graph's input '" + in.name() + "' has " + inputShape.length + " axes "
                    + Arrays.toString(inputShape) + "; rnnstream reads a sequence: (batch, time, features) or"
                    + " (time, batch, features)");
        }
        flows.put(in.name(), new Flow(List.of("a0", "a1", FEATURES), (int) inputShape[2], false, null, false));
    }

    // ------------------------------------------------------------------------------------ nodes

    private void step(Node n) {
        if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
            throw n.refuse("an operator of domain '" + n.domain() + "', which rnnstream does not import; it imports "
                    + SUPPORTED);
        }
        switch (n.opType()) {
            case "RNN", "LSTM", "GRU" -> recurrent(n);
            case "Transpose" -> transpose(n);
            case "Squeeze" -> squeeze(n);
            case "Unsqueeze" -> unsqueeze(n);
            case "Gather" -> gather(n);
            case "Slice" -> slice(n);
            case "MatMul" -> matMul(n);
            case "Gemm" -> gemm(n);
            case "Add" -> add(n);
            case "Softmax" -> softmax(n);
            case "Sub" -> centre(n);
            case "Div" -> scale(n);
            case "Sigmoid" -> activation(n, Activation.SIGMOID);
            case "Tanh" -> activation(n, Activation.TANH);
            case "Relu" -> activation(n, Activation.RELU);
            case "Softplus" -> activation(n, Activation.SOFTPLUS);
            case "Softsign" -> activation(n, Activation.SOFTSIGN);
            case "Exp" -> activation(n, Activation.EXPONENTIAL);
            case "Elu" -> activation(n, keras(n, n.floatAttr("alpha", 1f) == 1f, Activation.ELU, "alpha=1"));
            case "Selu" -> activation(n, keras(n, !n.attributes().containsKey("alpha")
                    && !n.attributes().containsKey("gamma"), Activation.SELU, "the default alpha and gamma"));
            case "HardSigmoid" -> {
                float alpha = n.floatAttr("alpha", 0.2f);
                boolean keras3 = Math.abs(alpha - 1f / 6) < 1e-7;
                activation(n, keras(n, n.floatAttr("beta", 0.5f) == 0.5f && (alpha == 0.2f || keras3),
                        keras3 ? Activation.HARD_SIGMOID_KERAS3 : Activation.HARD_SIGMOID, "alpha 0.2 or 1/6, beta 0.5"));
            }
            case "Clip" -> activation(n, keras(n, clipBound(n, 1) == 0f && clipBound(n, 2) == 6f, Activation.RELU6,
                    "min 0 and max 6 (relu6)"));
            case "Identity", "Dropout" -> pass(n, data(n, 0));
            case "Cast" -> {
                long to = n.intAttr("to", OnnxTensor.FLOAT);
                if (to != OnnxTensor.FLOAT && to != OnnxTensor.DOUBLE) {
                    throw n.refuse("casts the sequence to " + OnnxTensor.typeName((int) to) + "; rnnstream computes"
                            + " in float32");
                }
                pass(n, data(n, 0));
            }
            case "Shape" -> {
                // Only the shape of the data: PyTorch sizes its zero initial states from it.
            }
            case "Bidirectional" -> throw n.refuse("reads the future");
            default -> throw n.refuse("rnnstream does not import " + n.opType() + " on the path from the input to the"
                    + " output; it imports " + SUPPORTED);
        }
    }

    /** The flow at input {@code i}; refuses a node that combines the sequence with itself. */
    private Flow data(Node n, int i) {
        Flow f = flows.get(n.input(i));
        if (f == null) {
            throw n.refuse("its input " + i + " is not the sequence (" + describeValue(n.input(i)) + ")");
        }
        for (int k = 0; k < n.inputs().size(); k++) {
            if (k != i && flows.containsKey(n.input(k))) {
                throw n.refuse("combines the sequence with itself, which rnnstream does not import (it runs a"
                        + " chain of layers)");
            }
        }
        if (f.cell()) {
            throw n.refuse("reads an LSTM's cell state c; rnnstream's layers pass on h");
        }
        return f;
    }

    private void pass(Node n, Flow f) {
        flows.put(n.output(0), f);
    }

    private void transpose(Node n) {
        Flow f = data(n, 0);
        int rank = f.axes().size();
        long[] perm = n.intsAttr("perm");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            // The length first: a perm shorter than the data's axes must be refused, not indexed.
            int p = perm == null ? rank - 1 - i : perm.length != rank ? -1 : (int) perm[i];
            if (p < 0 || p >= rank) {
                throw n.refuse("has perm " + Arrays.toString(perm) + " for data of " + rank + " axes");
            }
            out.add(f.axes().get(p));
        }
        pass(n, f.with(out));
    }

    private void squeeze(Node n) {
        Flow f = data(n, 0);
        long[] axes = axesOf(n, 1, "axes");
        List<String> out = new ArrayList<>(f.axes());
        if (axes == null) {
            out.removeIf(ONE::equals);
        } else {
            Set<Integer> drop = new HashSet<>();
            for (long a : axes) {
                int ax = axis(n, a, f.axes().size());
                if (!f.axes().get(ax).equals(ONE)) {
                    throw n.refuse("squeezes axis " + a + " of " + axes(f) + ", which is not of size 1");
                }
                drop.add(ax);
            }
            out.clear();
            for (int i = 0; i < f.axes().size(); i++) {
                if (!drop.contains(i)) {
                    out.add(f.axes().get(i));
                }
            }
        }
        pass(n, f.with(out));
    }

    private void unsqueeze(Node n) {
        Flow f = data(n, 0);
        long[] axes = axesOf(n, 1, "axes");
        if (axes == null) {
            throw n.refuse("has no axes");
        }
        int rank = f.axes().size() + axes.length;
        List<String> out = new ArrayList<>(f.axes());
        long[] sorted = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            sorted[i] = axis(n, axes[i], rank);
        }
        Arrays.sort(sorted);
        for (long a : sorted) {
            out.add((int) a, ONE);
        }
        pass(n, f.with(out));
    }

    /** Gather on the time axis: the last step only. Gather on a size-1 axis: dropping it. */
    private void gather(Node n) {
        Flow f = data(n, 0);
        int ax = axis(n, n.intAttr("axis", 0), f.axes().size());
        OnnxTensor idx = constant(n, 1, "indices");
        long[] v = idx.longs();
        String label = f.axes().get(ax);
        if (v.length != 1) {
            throw n.refuse("gathers " + v.length + " entries of axis " + ax + "; rnnstream imports a Gather of one"
                    + " step (the last)");
        }
        List<String> out = new ArrayList<>(f.axes());
        boolean keepAxis = idx.rank() > 0;
        if (label.equals(ONE) && (v[0] == 0 || v[0] == -1)) {
            if (!keepAxis) {
                out.remove(ax);
            }
            pass(n, f.with(out));
            return;
        }
        requireTime(n, f, ax, v[0]);
        if (keepAxis) {
            out.set(ax, ONE);
        } else {
            out.remove(ax);
        }
        flows.put(n.output(0), new Flow(List.copyOf(out), f.features(), true, f.open(), false));
    }

    /** The last step of the time axis: index -1 (or T-1 when the input fixes T). */
    private void requireTime(Node n, Flow f, int ax, long index) {
        String label = f.axes().get(ax);
        if (label.equals(FEATURES)) {
            throw n.refuse("selects features (axis " + ax + " of " + axes(f) + "); rnnstream imports only the"
                    + " selection of the last step");
        }
        if (timeAxis == null) {
            throw n.refuse("selects from axis " + ax + " before any recurrent layer has run");
        }
        if (!label.equals(timeAxis)) {
            throw n.refuse("selects from the batch axis (axis " + ax + " of " + axes(f) + ")");
        }
        if (f.lastStep()) {
            throw n.refuse("selects a step twice");
        }
        if (index != -1 && !(timesteps > 0 && index == timesteps - 1)) {
            throw n.refuse("reads step " + index + " of each sequence; a stream can serve a head that reads the"
                    + " last step (index -1) or every step");
        }
    }

    private void slice(Node n) {
        Flow f = data(n, 0);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (n.inputs().size() > 1) {
            starts = constant(n, 1, "starts").longs();
            ends = constant(n, 2, "ends").longs();
            axes = n.input(3).isEmpty() ? null : constant(n, 3, "axes").longs();
            steps = n.input(4).isEmpty() ? null : constant(n, 4, "steps").longs();
        } else {
            starts = n.intsAttr("starts");
            ends = n.intsAttr("ends");
            axes = n.intsAttr("axes");
        }
        if (starts == null || ends == null || starts.length != ends.length) {
            throw n.refuse("has no matching starts and ends");
        }
        List<String> out = new ArrayList<>(f.axes());
        boolean last = f.lastStep();
        for (int i = 0; i < starts.length; i++) {
            int ax = axis(n, axes == null ? i : axes[i], f.axes().size());
            long step = steps == null ? 1 : steps[i];
            long s = starts[i];
            long e = ends[i];
            boolean whole = step == 1 && s == 0 && e >= Integer.MAX_VALUE;
            String label = f.axes().get(ax);
            if (whole || (label.equals(ONE) && step == 1 && (s == 0 || s == -1) && (e >= 1))) {
                continue;
            }
            if (step == 1 && s == -1 && e >= Integer.MAX_VALUE) {
                requireTime(n, f, ax, -1);
                out.set(ax, ONE);
                last = true;
                continue;
            }
            throw n.refuse("slices [" + s + ":" + e + ":" + step + "] of axis " + ax + " of " + axes(f) + "; rnnstream"
                    + " imports a slice of the last step ([-1:]) only");
        }
        flows.put(n.output(0), new Flow(List.copyOf(out), f.features(), last, f.open(), false));
    }

    private void matMul(Node n) {
        Flow f = data(n, 0);
        requireFeaturesLast(n, f);
        float[] w = weight(n, 1, "the weight");
        OnnxTensor t = weightTensor(n, 1);
        if (t.rank() != 2 || t.dim(0) != f.features()) {
            throw n.refuse("multiplies " + f.features() + " features by a weight of shape "
                    + Arrays.toString(t.dims()) + "; a head needs (" + f.features() + ", units)");
        }
        newDense(n, f, (int) t.dim(1), w, null);
    }

    private void gemm(Node n) {
        Flow f = data(n, 0);
        if (f.axes().size() != 2) {
            throw n.refuse("multiplies data of " + f.axes().size() + " axes; Gemm takes (batch, features)");
        }
        requireFeaturesLast(n, f);
        if (n.intAttr("transA", 0) != 0) {
            throw n.refuse("transposes the sequence (transA=1)");
        }
        OnnxTensor b = weightTensor(n, 1);
        float[] w = weight(n, 1, "B");
        boolean transB = n.intAttr("transB", 0) != 0;
        int in = f.features();
        if (b.rank() != 2 || b.dim(transB ? 1 : 0) != in) {
            throw n.refuse("has B of shape " + Arrays.toString(b.dims()) + " for " + in + " features (transB="
                    + (transB ? 1 : 0) + ")");
        }
        int units = (int) b.dim(transB ? 0 : 1);
        float alpha = n.floatAttr("alpha", 1f);
        float beta = n.floatAttr("beta", 1f);
        float[] kernel = new float[in * units];
        for (int r = 0; r < in; r++) {
            for (int c = 0; c < units; c++) {
                kernel[r * units + c] = alpha * (transB ? w[c * in + r] : w[r * units + c]);
            }
        }
        float[] bias = null;
        if (!n.input(2).isEmpty()) {
            bias = biasVector(n, 2, units);
            for (int i = 0; i < units; i++) {
                bias[i] *= beta;
            }
        }
        newDense(n, f, units, kernel, bias);
    }

    private void newDense(Node n, Flow f, int units, float[] kernel, float[] bias) {
        DenseStage d = new DenseStage();
        d.name = layerName(n, "dense");
        d.inputSize = f.features();
        d.units = units;
        d.kernel = kernel;
        d.bias = bias;
        stages.add(d);
        flows.put(n.output(0), new Flow(f.axes(), units, f.lastStep(), d, false));
    }

    private void add(Node n) {
        int di = flows.containsKey(n.input(0)) ? 0 : 1;
        Flow f = data(n, di);
        DenseStage d = f.open();
        if (d == null || d.bias != null || d.activation != Activation.LINEAR) {
            throw n.refuse("adds a constant that is not the bias of a MatMul head (MatMul then Add)");
        }
        d.bias = biasVector(n, 1 - di, d.units);
        pass(n, f);
    }

    /** Sub of a per-feature constant, then Div by one: a Normalization layer (as rnnstream exports one). */
    private void centre(Node n) {
        Flow f = data(n, 0);
        requireFeaturesLast(n, f);
        float[] mean = biasVector(n, 1, f.features());
        flows.put(n.output(0), new Flow(f.axes(), f.features(), f.lastStep(), null, false, mean));
    }

    private void scale(Node n) {
        Flow f = data(n, 0);
        if (f.centredBy() == null) {
            throw n.refuse("divides data that was not centred by a Sub just before; rnnstream imports Sub then Div"
                    + " by per-feature constants as a Normalization layer");
        }
        float[] std = biasVector(n, 1, f.features());
        float[] variance = new float[std.length];
        for (int i = 0; i < std.length; i++) {
            variance[i] = varianceFor(n, std[i]);
        }
        String name = layerName(n, "normalization");
        stages.add(Normalization.TYPE.read(GivenSettings.builder(name)
                .set("size", std.length)
                .weight("mean", Tensor.of(f.centredBy(), std.length))
                .weight("variance", Tensor.of(variance, std.length))
                .build()));
        flows.put(n.output(0), new Flow(f.axes(), f.features(), f.lastStep(), null, false));
    }

    /**
     * The variance whose square root, as Normalization takes it, is exactly {@code std}: the layer
     * keeps variances (Keras's weights), the graph a standard deviation.
     */
    private static float varianceFor(Node n, float std) {
        if (!(std > 0) || Float.isInfinite(std)) {
            throw n.refuse("divides by " + std + "; a Normalization divides by a positive standard deviation");
        }
        if (std <= Normalization.EPSILON) {
            return 0f;
        }
        float v = std * std;
        for (int k = 0; k < 8 && (float) Math.sqrt(v) != std; k++) {
            v = (float) Math.sqrt(v) < std ? Math.nextUp(v) : Math.nextDown(v);
        }
        return v;
    }

    private void softmax(Node n) {
        Flow f = data(n, 0);
        int rank = f.axes().size();
        long dflt = g.opset() >= 13 ? -1 : 1;
        int ax = axis(n, n.intAttr("axis", dflt), rank);
        // Before opset 13 Softmax flattens every axis from `axis` on: per step only when that is the last.
        if (ax != rank - 1 || !f.axes().get(ax).equals(FEATURES)) {
            throw n.refuse("normalises over axis " + ax + " of " + axes(f) + "; a per-step head normalises over"
                    + " its features, the last axis (axis=-1)");
        }
        activation(n, Activation.SOFTMAX);
    }

    private void activation(Node n, Activation a) {
        Flow f = data(n, 0);
        DenseStage d = f.open();
        if (d == null || d.activation != Activation.LINEAR) {
            throw n.refuse("applies " + n.opType() + " to data that is not a MatMul or Gemm head's output;"
                    + " rnnstream imports an activation as part of a head (Linear then " + n.opType() + ")");
        }
        d.activation = a;
        pass(n, f);
    }

    /** The activation when the node's settings are the ones rnnstream has, else a refusal saying which those are. */
    private static Activation keras(Node n, boolean ok, Activation a, String which) {
        if (!ok) {
            throw n.refuse("has settings rnnstream's " + a.fileName() + " does not: it imports " + n.opType()
                    + " with " + which);
        }
        return a;
    }

    /** Clip's min (input 1) or max (input 2); opset 6 kept them as attributes. */
    private float clipBound(Node n, int i) {
        if (!n.input(i).isEmpty()) {
            float[] v = constant(n, i, i == 1 ? "min" : "max").floats();
            return v.length == 1 ? v[0] : Float.NaN;
        }
        return n.floatAttr(i == 1 ? "min" : "max", Float.NaN);
    }

    private void requireFeaturesLast(Node n, Flow f) {
        if (!f.axes().get(f.axes().size() - 1).equals(FEATURES)) {
            throw n.refuse("multiplies data whose last axis is not its features " + axes(f));
        }
    }

    // ------------------------------------------------------------------------------------ recurrent ops

    private void recurrent(Node n) {
        String op = n.opType();
        Flow f = data(n, 0);
        String direction = n.stringAttr("direction", "forward");
        if (!direction.equals("forward")) {
            throw n.refuse("direction=" + direction + " reads the future: a " + direction + " layer needs each"
                    + " sequence's last step before its first output, which a stream does not have (run it offline"
                    + " with its framework, or retrain with a forward layer)");
        }
        if (n.attributes().containsKey("clip")) {
            throw n.refuse("has clip=" + n.floatAttr("clip", 0) + ", which clips the cell input; rnnstream's layers"
                    + " do not: retrain without it");
        }
        if (n.intAttr("input_forget", 0) != 0) {
            throw n.refuse("has input_forget=1 (coupled input and forget gates), which rnnstream's LSTM does not"
                    + " have");
        }
        if (f.lastStep()) {
            throw n.refuse("reads only the last step of the layer before it; a recurrent layer needs the sequence");
        }
        int layout = (int) n.intAttr("layout", 0);
        if (layout != 0 && layout != 1) {
            throw n.refuse("has layout=" + layout);
        }
        List<String> ax = f.axes();
        if (ax.size() != 3 || !ax.get(2).equals(FEATURES) || ax.get(0).equals(ONE) || ax.get(1).equals(ONE)) {
            throw n.refuse("reads data of axes " + axes(f) + "; it needs " + (layout == 0 ? "(time, batch, features)"
                    : "(batch, time, features)"));
        }
        String time = ax.get(layout == 0 ? 0 : 1);
        if (timeAxis == null) {
            timeAxis = time;
            int t = time.equals("a0") ? 0 : 1;
            timesteps = inputShape[t] > 0 ? (int) inputShape[t] : -1;
        } else if (!timeAxis.equals(time)) {
            throw n.refuse("reads the batch axis as time (layout=" + layout + " on " + axes(f) + ")");
        }
        if (!n.input(4).isEmpty()) {
            throw n.refuse("takes sequence_lens; the stream ends a sequence with its final event, so export"
                    + " without per-sequence lengths");
        }
        requireZero(n, 5, "initial_h");
        if (op.equals("LSTM")) {
            requireZero(n, 6, "initial_c");
            if (!n.input(7).isEmpty() && !isZero(n.input(7), 0)) {
                throw n.refuse("has peephole weights P, which rnnstream's LSTM does not have");
            }
        }
        GateLayout gates = switch (op) {
            case "LSTM" -> GateLayout.LSTM;
            case "GRU" -> GateLayout.GRU;
            default -> GateLayout.RNN;
        };
        int in = f.features();
        OnnxTensor wt = weightTensor(n, 1);
        OnnxTensor rt = weightTensor(n, 2);
        int units = n.attributes().containsKey("hidden_size") ? (int) n.intAttr("hidden_size", 0)
                : rt.rank() == 3 ? (int) rt.dim(2) : -1;
        if (units <= 0) {
            throw n.refuse("has no valid hidden_size");
        }
        int gu = gates.gates() * units;
        expectShape(n, "W", wt, 1, gu, in);
        expectShape(n, "R", rt, 1, gu, units);
        float[] w = gates.toKeras(weight(n, 1, "W"), units, in);
        float[] r = gates.toKeras(weight(n, 2, "R"), units, units);
        float[] b = null;
        if (!n.input(3).isEmpty()) {
            expectShape(n, "B", weightTensor(n, 3), 1, 2 * gu);
            b = weight(n, 3, "B");
        }
        List<Activation> acts = activations(n, op);
        String name = layerName(n, switch (op) {
            case "LSTM" -> "lstm";
            case "GRU" -> "gru";
            default -> "simple_rnn";
        });
        boolean useBias = b != null;
        GivenSettings.Builder settings = GivenSettings.builder(name)
                .set("units", units)
                .set("input_size", in)
                .set("use_bias", useBias)
                .set("go_backwards", false)
                .weight("kernel", Tensor.of(w, in, gu))
                .weight("recurrent_kernel", Tensor.of(r, units, gu));
        LayerType type;
        switch (op) {
            case "LSTM" -> {
                if (acts.get(1) != acts.get(2)) {
                    throw n.refuse("uses different cell (" + acts.get(1) + ") and hidden (" + acts.get(2) + ")"
                            + " activations; rnnstream's LSTM uses one for both");
                }
                type = Lstm.TYPE;
                settings.set("activation", acts.get(1))
                        .set("recurrent_activation", acts.get(0))
                        .weight("bias", useBias ? Tensor.of(summed(gates, b, units), gu) : null);
            }
            case "GRU" -> {
                boolean resetAfter = n.intAttr("linear_before_reset", 0) != 0;
                Tensor bias = null;
                if (useBias && resetAfter) {
                    float[] two = new float[2 * gu];
                    System.arraycopy(gates.biasToKeras(b, 0, units), 0, two, 0, gu);
                    System.arraycopy(gates.biasToKeras(b, gu, units), 0, two, gu, gu);
                    bias = Tensor.of(two, 2, gu);
                } else if (useBias) {
                    bias = Tensor.of(summed(gates, b, units), gu);
                }
                type = Gru.TYPE;
                // Without a bias the two GRU forms differ only in where r multiplies: keep the file's.
                settings.set("activation", acts.get(1))
                        .set("recurrent_activation", acts.get(0))
                        .set("reset_after", resetAfter)
                        .weight("bias", bias);
            }
            default -> {
                type = SimpleRnn.TYPE;
                settings.set("activation", acts.get(0))
                        .weight("bias", useBias ? Tensor.of(summed(gates, b, units), gu) : null);
            }
        }
        // return_sequences is known only once the whole graph is: the layer is built then.
        Function<Boolean, Layer> layer = seq -> type.read(settings.set("return_sequences", seq).build());
        stages.add(layer);
        String batch = ax.get(layout == 0 ? 1 : 0);
        List<String> y = layout == 0 ? List.of(time, ONE, batch, FEATURES) : List.of(batch, time, ONE, FEATURES);
        flows.put(n.output(0), new Flow(y, units, false, null, false));
        // Y_h, the last step's h: the same as Y at the last step.
        List<String> yh = layout == 0 ? List.of(ONE, batch, FEATURES) : List.of(batch, ONE, FEATURES);
        if (!n.output(1).isEmpty()) {
            flows.put(n.output(1), new Flow(yh, units, true, null, false));
        }
        if (!n.output(2).isEmpty()) {
            flows.put(n.output(2), new Flow(yh, units, true, null, true));
        }
    }

    /** Wb + Rb: the two bias vectors PyTorch and ONNX keep, as the one Keras keeps. */
    private static float[] summed(GateLayout gates, float[] b, int units) {
        int gu = gates.gates() * units;
        float[] wb = gates.biasToKeras(b, 0, units);
        float[] rb = gates.biasToKeras(b, gu, units);
        for (int i = 0; i < gu; i++) {
            wb[i] += rb[i];
        }
        return wb;
    }

    /** The op's activations in ONNX's order (RNN: f; LSTM: f, g, h; GRU: f, g), defaults filled in. */
    private static List<Activation> activations(Node n, String op) {
        List<String> dflt = switch (op) {
            case "LSTM" -> List.of("Sigmoid", "Tanh", "Tanh");
            case "GRU" -> List.of("Sigmoid", "Tanh");
            default -> List.of("Tanh");
        };
        Attribute a = n.attributes().get("activations");
        List<String> given = a == null || a.strings().isEmpty() ? dflt : a.strings();
        if (given.size() != dflt.size()) {
            throw n.refuse("has " + given.size() + " activations " + given + "; a forward " + op + " has "
                    + dflt.size());
        }
        // activation_alpha/beta are consumed in order by the functions that take them (ONNX, ONNX Runtime).
        Attribute alphas = n.attributes().get("activation_alpha");
        Attribute betas = n.attributes().get("activation_beta");
        int used = 0;
        List<Activation> out = new ArrayList<>();
        for (String s : given) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "tanh" -> out.add(Activation.TANH);
                case "sigmoid" -> out.add(Activation.SIGMOID);
                case "relu" -> out.add(Activation.RELU);
                case "softsign" -> out.add(Activation.SOFTSIGN);
                case "softplus" -> out.add(Activation.SOFTPLUS);
                case "hardsigmoid" -> {
                    float al = alphas != null && alphas.floats().length > used ? alphas.floats()[used] : 0.2f;
                    float be = betas != null && betas.floats().length > used ? betas.floats()[used] : 0.5f;
                    used++;
                    if (al == 0.2f && be == 0.5f) {
                        out.add(Activation.HARD_SIGMOID);
                    } else if (Math.abs(al - 1f / 6) < 1e-7 && be == 0.5f) {
                        out.add(Activation.HARD_SIGMOID_KERAS3);
                    } else {
                        throw n.refuse("uses HardSigmoid(alpha=" + al + ", beta=" + be + "); rnnstream has alpha 0.2"
                                + " or 1/6 with beta 0.5");
                    }
                }
                default -> throw n.refuse("uses activation " + s + "; rnnstream's recurrent layers take Tanh,"
                        + " Sigmoid, Relu, HardSigmoid, Softsign and Softplus");
            }
        }
        return out;
    }

    private static void expectShape(Node n, String what, OnnxTensor t, long... want) {
        if (!Arrays.equals(t.dims(), want)) {
            if (t.rank() >= 1 && t.dim(0) != 1) {
                throw n.refuse(what + " has " + t.dim(0) + " directions " + Arrays.toString(t.dims()) + "; a forward"
                        + " layer has 1");
            }
            throw n.refuse(what + " '" + t.name() + "' has shape " + Arrays.toString(t.dims()) + " but hidden_size "
                    + (what.equals("W") ? "and the input's features need " : "needs ") + Arrays.toString(want)
                    + ": the file is inconsistent; export it again");
        }
    }

    private void requireZero(Node n, int i, String what) {
        if (n.input(i).isEmpty()) {
            return;
        }
        if (!isZero(n.input(i), 0)) {
            throw n.refuse("starts from a non-zero " + what + " (" + describeValue(n.input(i)) + "); rnnstream starts"
                    + " every sequence at zero, as PyTorch does without h0: export the module without initial"
                    + " states");
        }
    }

    /** True when the value is provably all zeros: a zero constant, or zeros reshaped, sliced, copied. */
    private boolean isZero(String value, int depth) {
        if (depth > 64) {
            return false;
        }
        OnnxTensor init = g.initializers().get(value);
        if (init != null) {
            return init.allZero();
        }
        Node p = producer.get(value);
        if (p == null) {
            return false;
        }
        switch (p.opType()) {
            case "Constant": {
                OnnxTensor t = constantValue(p);
                return t != null && t.allZero();
            }
            case "ConstantOfShape": {
                Attribute v = p.attributes().get("value");
                return v == null || v.t() == null || v.t().allZero();
            }
            case "Expand", "Slice", "Squeeze", "Unsqueeze", "Reshape", "Transpose", "Identity", "Cast", "Gather",
                    "Tile":
                return isZero(p.input(0), depth + 1);
            case "Concat": {
                for (String in : p.inputs()) {
                    if (!isZero(in, depth + 1)) {
                        return false;
                    }
                }
                return !p.inputs().isEmpty();
            }
            default:
                return false;
        }
    }

    // ------------------------------------------------------------------------------------ constants

    /** A stored tensor: an initializer, or a Constant node's value. */
    private OnnxTensor weightTensor(Node n, int i) {
        String name = n.input(i);
        if (name.isEmpty()) {
            throw n.refuse("has no input " + i);
        }
        OnnxTensor t = g.initializers().get(name);
        if (t != null) {
            return t;
        }
        Node p = producer.get(name);
        if (p != null && p.opType().equals("Constant")) {
            OnnxTensor c = constantValue(p);
            if (c != null) {
                return c;
            }
        }
        if (p != null) {
            throw n.refuse("its input '" + name + "' is computed by " + p.describe() + " rather than stored; export"
                    + " with constant folding on (torch.onnx.export's do_constant_folding=True, the default)");
        }
        for (ValueInfo v : g.inputs()) {
            if (v.name().equals(name)) {
                throw n.refuse("its input '" + name + "' is a graph input, not a stored weight");
            }
        }
        throw n.refuse("its input '" + name + "' is missing: no initializer and no node gives it; the file is"
                + " incomplete, export it again");
    }

    private float[] weight(Node n, int i, String what) {
        try {
            return weightTensor(n, i).floats();
        } catch (ModelException e) {
            if (e.getMessage().startsWith(n.describe())) {
                throw e;
            }
            throw n.refuse(what + ": " + e.getMessage());
        }
    }

    /** A bias of {@code units} values, any leading axes of size 1 allowed (broadcast over batch and time). */
    private float[] biasVector(Node n, int i, int units) {
        OnnxTensor t = weightTensor(n, i);
        long[] d = t.dims();
        for (int k = 0; k < d.length - 1; k++) {
            if (d[k] != 1) {
                throw n.refuse("has a constant of shape " + Arrays.toString(d) + " where one value per unit is needed ("
                        + units + ")");
            }
        }
        if (d.length == 0 || d[d.length - 1] != units) {
            throw n.refuse("has a constant of shape " + Arrays.toString(d) + " for " + units + " units");
        }
        return weight(n, i, "the bias").clone();
    }

    private OnnxTensor constant(Node n, int i, String what) {
        String name = n.input(i);
        OnnxTensor t = g.initializers().get(name);
        if (t == null) {
            Node p = producer.get(name);
            t = p != null && p.opType().equals("Constant") ? constantValue(p) : null;
        }
        if (t == null) {
            throw n.refuse("its " + what + " ('" + name + "') is not a constant");
        }
        return t;
    }

    /** A Constant node's value: the tensor, or value_int(s)/value_float(s) as a tensor. */
    private static OnnxTensor constantValue(Node p) {
        for (Attribute a : p.attributes().values()) {
            switch (a.name()) {
                case "value":
                    return a.t();
                case "value_int":
                    return new OnnxTensor(p.output(0), new long[0], OnnxTensor.INT64, ByteString.EMPTY,
                            new float[0], new double[0], new long[] {a.i()}, new int[0], false);
                case "value_ints":
                    return new OnnxTensor(p.output(0), new long[] {a.ints().length}, OnnxTensor.INT64,
                            ByteString.EMPTY, new float[0], new double[0], a.ints(), new int[0],
                            false);
                case "value_float":
                    return new OnnxTensor(p.output(0), new long[0], OnnxTensor.FLOAT, ByteString.EMPTY,
                            new float[] {a.f()}, new double[0], new long[0], new int[0], false);
                case "value_floats":
                    return new OnnxTensor(p.output(0), new long[] {a.floats().length}, OnnxTensor.FLOAT,
                            ByteString.EMPTY, a.floats(), new double[0], new long[0], new int[0],
                            false);
                default:
                    break;
            }
        }
        return null;
    }

    /** Axes from input {@code i} (opset 13 on) or the attribute of the same name (before); null when neither. */
    private long[] axesOf(Node n, int i, String attr) {
        if (!n.input(i).isEmpty()) {
            return constant(n, i, attr).longs();
        }
        return n.intsAttr(attr);
    }

    private static int axis(Node n, long a, int rank) {
        long ax = a < 0 ? a + rank : a;
        if (ax < 0 || ax >= rank) {
            throw n.refuse("names axis " + a + " of data with " + rank + " axes");
        }
        return (int) ax;
    }

    // ------------------------------------------------------------------------------------ names

    /**
     * A layer's name from its node's PyTorch module path ("/rnns.0/LSTM" → "rnns.0", "/head/MatMul" →
     * "head"), else Keras-style ("lstm", "dense"); "_1", "_2" make repeats unique.
     */
    private String layerName(Node n, String fallback) {
        String base = fallback;
        String s = n.name();
        int slash = s.lastIndexOf('/');
        if (slash > 0) {
            String module = s.substring(s.startsWith("/") ? 1 : 0, slash).replace('/', '.');
            if (!module.isBlank()) {
                base = module;
            }
        }
        String name = base;
        for (int k = 1; !names.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    private String describeValue(String value) {
        if (value.isEmpty()) {
            return "absent";
        }
        Node p = producer.get(value);
        if (p != null) {
            return "'" + value + "' from " + p.describe();
        }
        if (g.initializers().containsKey(value)) {
            return "the stored tensor '" + value + "'";
        }
        return "the graph input '" + value + "'";
    }

    private String axes(Flow f) {
        List<String> words = new ArrayList<>();
        for (String a : f.axes()) {
            words.add(a.equals(FEATURES) ? "features(" + f.features() + ")" : a.equals(ONE) ? "1"
                    : a.equals(timeAxis) ? "time" : timeAxis != null ? "batch" : "axis " + a.substring(1) + " of the input");
        }
        return "(" + String.join(", ", words) + ")";
    }

    private static String names(List<ValueInfo> vs) {
        List<String> out = new ArrayList<>();
        for (ValueInfo v : vs) {
            out.add(v.name());
        }
        return String.join(", ", out);
    }
}
