package io.rnnstream.model.layers;

import io.rnnstream.model.ModelException;
import java.util.Arrays;

/** A float32 array with a row-major shape: how weights are stored, read and written. */
public record Tensor(int[] shape, float[] data) {
    public Tensor {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new ModelException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new ModelException("a tensor of shape " + Arrays.toString(shape) + " needs " + n
                    + " values but has " + data.length);
        }
    }

    public static Tensor of(float[] data, int... shape) {
        return new Tensor(shape, data);
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    /** Fails with a message naming the layer and weight when the shape is not {@code expected}. */
    public Tensor expectShape(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new ModelException(what + " has shape " + Arrays.toString(shape) + " but the layer's settings need "
                    + Arrays.toString(expected));
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
