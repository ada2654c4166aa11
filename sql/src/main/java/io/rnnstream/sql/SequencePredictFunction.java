package io.rnnstream.sql;

import io.rnnstream.job.step.Head;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.StepKernel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.PredictFunction;

/**
 * One {@code ML_PREDICT} row: the whole sequence (ARRAY<ARRAY<FLOAT>>, steps × features) through the
 * model, its final output out. A causal model runs through one {@link StepKernel} kept per task, the
 * kernel {@code predict} and the stream use, so the floats are theirs bit for bit; a model that reads
 * the whole sequence (Flatten, go_backwards) runs as {@link Forward#predict} does. A row that cannot
 * be predicted never fails the job: it comes out with its error (see {@link SequenceOutputs}), counted
 * in the {@code rnnstream.badRows} metric.
 */
public final class SequencePredictFunction extends PredictFunction {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final SequenceOutputs outputs;

    private transient Model model;
    private transient StepKernel kernel;
    private transient Head head;
    private transient Counter badRows;

    SequencePredictFunction(String path, SequenceOutputs outputs) {
        this.path = path;
        this.outputs = outputs;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        model = ModelLoader.load(Path.of(path));
        kernel = model.whyNotCausal() == null ? new StepKernel(model) : null;
        head = new Head(model);
        badRows = context.getMetricGroup().addGroup("rnnstream").counter("badRows");
    }

    @Override
    public Collection<RowData> predict(RowData input) {
        float[][] sequence;
        try {
            sequence = sequence(input);
        } catch (IllegalArgumentException e) {
            badRows.inc();
            return List.of(outputs.error(e.getMessage()));
        }
        float[][] steps = kernel != null ? Forward.sequences(kernel, sequence) : Forward.predict(model, sequence);
        float[] last = steps[steps.length - 1];
        int label = head.labelIndex(last);
        return List.of(outputs.row(last, label, head.labelName(label)));
    }

    private float[][] sequence(RowData input) {
        if (input.isNullAt(0)) {
            throw new IllegalArgumentException("the sequence is null");
        }
        ArrayData steps = input.getArray(0);
        if (steps.size() == 0) {
            throw new IllegalArgumentException("the sequence has no steps");
        }
        int d = model.inputSize();
        float[][] out = new float[steps.size()][];
        for (int t = 0; t < out.length; t++) {
            if (steps.isNullAt(t)) {
                throw new IllegalArgumentException("step " + t + " is null");
            }
            ArrayData x = steps.getArray(t);
            if (x.size() != d) {
                throw new IllegalArgumentException("step " + t + " has " + x.size() + " features, the model expects " + d);
            }
            float[] v = new float[d];
            for (int i = 0; i < d; i++) {
                if (x.isNullAt(i)) {
                    throw new IllegalArgumentException("step " + t + ", feature " + i + " is null");
                }
                v[i] = x.getFloat(i);
                if (!Float.isFinite(v[i])) {
                    throw new IllegalArgumentException("step " + t + ", feature " + i + " is " + v[i]);
                }
            }
            out[t] = v;
        }
        int fixed = model.timesteps();
        if (kernel == null && fixed > 0 && out.length != fixed) {
            throw new IllegalArgumentException("the model reads whole sequences of " + fixed + " steps, this one has "
                    + out.length);
        }
        return out;
    }
}
