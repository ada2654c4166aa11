package io.rnnstream.model.onnx;

/**
 * Where each gate's rows are, between ONNX (and PyTorch) and Keras, which rnnstream's layers use:
 *
 * <pre>
 *   op     Keras (kernel columns)   ONNX W/R/B rows        PyTorch weight_ih rows
 *   LSTM   i, f, c, o               i, o, f, c             i, f, g(=c), o
 *   GRU    z, r, h                  z, r, h                r, z, n(=h)
 *   RNN    (one)                    (one)                  (one)
 * </pre>
 *
 * ONNX stores W as (gates·units, inputs), a transposed Keras kernel (inputs, gates·units); its B
 * is [Wb, Rb], two bias vectors where Keras sums them into one (except GRU with reset_after,
 * which keeps both as its (2, 3·units) bias).
 */
final class GateLayout {
    /** For each Keras gate, in Keras's order, the index of the same gate in ONNX's order. */
    private final int[] onnxGateOf;

    private GateLayout(int... onnxGateOf) {
        this.onnxGateOf = onnxGateOf;
    }

    static final GateLayout RNN = new GateLayout(0);
    static final GateLayout LSTM = new GateLayout(0, 2, 3, 1);
    static final GateLayout GRU = new GateLayout(0, 1, 2);

    int gates() {
        return onnxGateOf.length;
    }

    /** ONNX (gates·units, cols) → Keras (cols, gates·units), gates reordered. */
    float[] toKeras(float[] onnx, int units, int cols) {
        int g = gates() * units;
        float[] keras = new float[cols * g];
        for (int k = 0; k < gates(); k++) {
            int from = onnxGateOf[k] * units;
            for (int j = 0; j < units; j++) {
                int row = (from + j) * cols;
                for (int r = 0; r < cols; r++) {
                    keras[r * g + k * units + j] = onnx[row + r];
                }
            }
        }
        return keras;
    }

    /** Keras (cols, gates·units) → ONNX (gates·units, cols): the inverse of {@link #toKeras}. */
    float[] toOnnx(float[] keras, int units, int cols) {
        int g = gates() * units;
        float[] onnx = new float[cols * g];
        for (int k = 0; k < gates(); k++) {
            int to = onnxGateOf[k] * units;
            for (int j = 0; j < units; j++) {
                int row = (to + j) * cols;
                for (int r = 0; r < cols; r++) {
                    onnx[row + r] = keras[r * g + k * units + j];
                }
            }
        }
        return onnx;
    }

    /** One ONNX bias vector (gates·units, at {@code off} in {@code b}) in Keras's gate order. */
    float[] biasToKeras(float[] b, int off, int units) {
        float[] out = new float[gates() * units];
        for (int k = 0; k < gates(); k++) {
            System.arraycopy(b, off + onnxGateOf[k] * units, out, k * units, units);
        }
        return out;
    }

    /** One Keras bias vector in ONNX's gate order, written at {@code off} of {@code b}. */
    void biasToOnnx(float[] keras, int kerasOff, float[] b, int off, int units) {
        for (int k = 0; k < gates(); k++) {
            System.arraycopy(keras, kerasOff + k * units, b, off + onnxGateOf[k] * units, units);
        }
    }
}
