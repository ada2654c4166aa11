package io.rnnstream.trainer.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Small ND4J helpers. Arrays take ND4J's default floating-point type, so tests can run in double. */
final class Nd {
    private Nd() {}

    static DataType type() {
        return Nd4j.defaultFloatingPointType();
    }

    static INDArray zeros(long... shape) {
        return Nd4j.zeros(type(), shape);
    }

    static INDArray of(float[] data, long... shape) {
        INDArray a = Nd4j.create(data, shape, 'c');
        return a.dataType() == type() ? a : a.castTo(type());
    }

    /** A copy in row-major order as float32, whatever the array's type or view. */
    static float[] floats(INDArray a) {
        INDArray f = a.castTo(DataType.FLOAT).dup('c');
        return f.data().asFloat();
    }

    /** Rows {@code [from, to)}: a contiguous view of a row-major matrix. */
    static INDArray rows(INDArray m, long from, long to) {
        return m.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /** Columns {@code [from, to)}: a strided view. */
    static INDArray cols(INDArray m, long from, long to) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }

    /** c += a·b (with optional transposes), in place. */
    static void gemmAdd(INDArray a, INDArray b, INDArray c, boolean ta, boolean tb) {
        Nd4j.gemm(a, b, c, ta, tb, 1.0, 1.0);
    }

    /** c = a·b (with optional transposes), in place. */
    static void gemmSet(INDArray a, INDArray b, INDArray c, boolean ta, boolean tb) {
        Nd4j.gemm(a, b, c, ta, tb, 1.0, 0.0);
    }
}
