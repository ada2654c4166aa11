package io.rnnstream.model.layers;

import io.rnnstream.model.Summary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras Normalization over the feature axis: {@code (x − mean) / max(sqrt(variance), 1e-7)}. The
 * trainer stores the training split's statistics here, so every consumer standardises alike.
 */
public final class Normalization extends Layer {
    public static final LayerType TYPE = new LayerType("Normalization", Normalization::read);

    /** Keras's {@code backend.epsilon()}. */
    public static final float EPSILON = 1e-7f;

    private final int size;
    private final float[] mean;
    private final float[] variance;
    private final float[] invStd;

    public Normalization(String name, Tensor mean, Tensor variance) {
        super(name, TYPE);
        this.size = mean.data().length;
        this.mean = mean.data();
        this.variance = variance.expectShape(name + "/variance", mean.shape()).data();
        this.invStd = new float[size];
        for (int i = 0; i < size; i++) {
            invStd[i] = (float) Math.max(Math.sqrt(this.variance[i]), EPSILON);
        }
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] variance() {
        return variance.clone();
    }

    private static Normalization read(LayerSettings s) {
        String name = s.layerName();
        int size = s.integer("size");
        LayerSettings.Weights w = s.weights(List.of("mean", "variance"));
        return new Normalization(name, w.get("mean").expectShape(name + "/mean", size), w.get("variance"));
    }

    @Override
    public String explainParams() {
        return "2 × " + size + " + 1 = " + Summary.number(nonTrainableParamCount()) + "   [a mean and a variance per"
                + " feature, and the sample count; not trainable]";
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("axis", List.of(-1));
        c.put("mean", null);
        c.put("variance", null);
        c.put("invert", false);
        return c;
    }

    /** Keras's adapted form: mean and variance per feature and the number of samples seen (not kept, so 0). */
    @Override
    public Map<String, Object> kerasWeights() {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("mean", Tensor.of(mean(), size));
        w.put("variance", Tensor.of(variance(), size));
        w.put("count", 0L);
        return w;
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public int outputSize() {
        return size;
    }

    @Override
    public long nonTrainableParamCount() {
        // Keras counts mean, variance and the sample count.
        return 2L * size + 1;
    }

    @Override
    public void step(float[] x, float[] state, int stateOff, boolean masked, float[] y, float[] scratch) {
        for (int i = 0; i < size; i++) {
            // A division, as Keras does, so that results match it to the last bit where it can.
            y[i] = (x[i] - mean[i]) / invStd[i];
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("size", size);
        return c;
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("mean", Tensor.of(mean, size));
        w.put("variance", Tensor.of(variance, size));
        return w;
    }
}
