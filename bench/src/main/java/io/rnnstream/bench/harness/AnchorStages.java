package io.rnnstream.bench.harness;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.model.layers.SimpleRnn;
import io.rnnstream.model.layers.Tensor;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The anchors `rnnstream bench --stages` runs beside the job's own stage, on the same generator, keyBy and
 * sink (issue 19): what Flink costs with no step at all, and what the most obvious implementation costs.
 *
 * <ul>
 *   <li>{@code floor}: keyBy + one {@code ValueState<float[]>} of the model's state size read and written
 *       per event, and a fixed output record: Flink's own floor for a keyed recurrent job.
 *   <li>{@code naive}: the same with a plain Java (Normalization,) SimpleRNN step and Dense head ({@code h = tanh(x·W + h·U
 *       + b)}, {@code y = softmax(h·V + c)}, loops over {@code float[]}): no kernel, no bookkeeping, no
 *       ordering, no dead letters. SimpleRNN + Dense models only.
 * </ul>
 */
public final class AnchorStages {
    private AnchorStages() {}

    public static BenchStage floor() {
        return new Anchor("floor", false);
    }

    public static BenchStage naive() {
        return new Anchor("naive", true);
    }

    /**
     * A stage by name: rnnstream, floor or naive; {@code rnnstream@N} is the job's stage with step bundles
     * of N events ({@code --step-bundle N}), so that bundle sizes run side by side in one table; {@code sql}
     * is the same model through RNN_CLASSIFY ({@link SqlStage}).
     */
    public static BenchStage named(String name) {
        if (name.startsWith("rnnstream@")) {
            int n;
            try {
                n = Integer.parseInt(name.substring("rnnstream@".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--stages takes rnnstream@N with N a bundle size, not '" + name + "'");
            }
            StreamOptions.defaults().stepBundle(n); // checks n
            return BenchStage.rnnstream(n);
        }
        switch (name) {
            case "rnnstream":
                return BenchStage.rnnstream();
            case "floor":
                return floor();
            case "naive":
                return naive();
            case "sql":
                return new SqlStage();
            default:
                throw new IllegalArgumentException("--stages takes rnnstream, rnnstream@N, sql, floor and naive, not '"
                        + name + "'");
        }
    }

    private static final class Anchor implements BenchStage {
        private final String name;
        private final boolean steps;

        Anchor(String name, boolean steps) {
            this.name = name;
            this.steps = steps;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
                StreamOptions opts) {
            return events.keyBy(e -> e.key, Types.STRING)
                    .process(new Step(model, modelId, steps), TypeInformation.of(OutputRecord.class))
                    .name(name).uid("anchor-" + name);
        }

        @Override
        public StateSize stateSize(Model model) {
            float[] h = new float[model.stateSize()];
            long b = BenchStage.serializedSize(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO, h);
            return new StateSize(b, 4L * h.length, "float[] " + b);
        }
    }

    private static final class Step extends KeyedProcessFunction<String, Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final ModelProvider provider;
        private final String modelId;
        private final boolean steps;
        private transient ValueState<float[]> state;
        private transient int stateSize;
        private transient int in;
        private transient int units;
        private transient float[] w;
        private transient float[] u;
        private transient float[] b;
        private transient float[] v;
        private transient float[] c;
        private transient float[] fixed;
        private transient float[] mean;
        private transient float[] scale;

        Step(ModelProvider provider, String modelId, boolean steps) {
            this.provider = provider;
            this.modelId = modelId;
            this.steps = steps;
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            Model m = provider.get();
            stateSize = m.stateSize();
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("h",
                    PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
            fixed = new float[m.outputSize()];
            if (!steps) {
                return;
            }
            List<Layer> layers = m.layers();
            int first = 0;
            if (!layers.isEmpty() && layers.get(0) instanceof Normalization norm) {
                mean = data(norm, "mean");
                float[] var = data(norm, "variance");
                scale = new float[var.length];
                for (int i = 0; i < var.length; i++) {
                    scale[i] = 1f / (float) Math.max(Math.sqrt(var[i]), Normalization.EPSILON);
                }
                first = 1;
            }
            if (layers.size() != first + 2 || !(layers.get(first) instanceof SimpleRnn rnn)
                    || !(layers.get(first + 1) instanceof Dense head) || rnn.activation() != Activation.TANH
                    || head.activation() != Activation.SOFTMAX) {
                throw new ModelException("the naive anchor steps [Normalization →] SimpleRNN(tanh) → Dense(softmax)"
                        + " models only, not " + m.describe());
            }
            in = m.inputSize();
            units = rnn.units();
            w = data(rnn, "kernel");
            u = data(rnn, "recurrent_kernel");
            b = data(rnn, "bias");
            v = data(head, "kernel");
            c = data(head, "bias");
        }

        private static float[] data(Layer l, String name) {
            Map<String, Tensor> weights = l.weights();
            Tensor t = weights.get(name);
            return t == null ? null : t.data();
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<OutputRecord> out) throws Exception {
            float[] h = state.value();
            if (h == null || e.step == 0) {
                h = new float[stateSize];
            }
            float[] y = fixed;
            if (steps) {
                float[] x = e.features;
                if (mean != null) {
                    x = new float[in];
                    for (int i = 0; i < in; i++) {
                        x[i] = (e.features[i] - mean[i]) * scale[i];
                    }
                }
                float[] z = new float[units];
                for (int j = 0; j < units; j++) {
                    float s = b == null ? 0f : b[j];
                    for (int i = 0; i < in; i++) {
                        s += x[i] * w[i * units + j];
                    }
                    for (int i = 0; i < units; i++) {
                        s += h[i] * u[i * units + j];
                    }
                    z[j] = (float) Math.tanh(s);
                }
                h = z;
                int k = c == null ? v.length / units : c.length;
                y = new float[k];
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    float s = c == null ? 0f : c[j];
                    for (int i = 0; i < units; i++) {
                        s += h[i] * v[i * k + j];
                    }
                    y[j] = s;
                    max = Math.max(max, s);
                }
                float sum = 0;
                for (int j = 0; j < k; j++) {
                    y[j] = (float) Math.exp(y[j] - max);
                    sum += y[j];
                }
                for (int j = 0; j < k; j++) {
                    y[j] /= sum;
                }
            }
            state.update(h);
            OutputRecord r = new OutputRecord();
            r.key = e.key;
            r.step = e.step;
            r.output = y;
            r.model = modelId;
            out.collect(r);
        }
    }
}
