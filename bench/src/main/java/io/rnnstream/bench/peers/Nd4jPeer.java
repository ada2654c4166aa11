package io.rnnstream.bench.peers;

import io.rnnstream.model.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Peer (c): the step written with ND4J at batch 1: h' = tanh(x W + h U + b), y = softmax(h' V + c), each
 * a native ND4J op on (1, n) rows, as one would write a step "with the tensor library".
 */
final class Nd4jPeer {
    private final INDArray w;
    private final INDArray u;
    private final INDArray b;
    private final INDArray v;
    private final INDArray c;
    private final int in;
    private final int units;
    private float[] lastState;

    Nd4jPeer(Model model) {
        PeerModel.Parts p = PeerModel.parts(model);
        in = p.in();
        units = p.units();
        w = Nd4j.create(p.kernel(), new long[] {in, units}, 'c');
        u = Nd4j.create(p.recurrent(), new long[] {units, units}, 'c');
        b = Nd4j.create(p.bias(), new long[] {1, units}, 'c');
        v = Nd4j.create(p.headKernel(), new long[] {units, p.classes()}, 'c');
        c = Nd4j.create(p.headBias(), new long[] {1, p.classes()}, 'c');
    }

    float[] step(float[] h, float[] x) {
        INDArray hx = Nd4j.create(x, new long[] {1, in}, 'c').mmul(w).addi(b);
        if (h != null) {
            hx.addi(Nd4j.create(h, new long[] {1, units}, 'c').mmul(u));
        }
        INDArray hn = Transforms.tanh(hx, false);
        INDArray y = Transforms.softmax(hn.mmul(v).addi(c), false);
        lastState = hn.toFloatVector();
        return y.toFloatVector();
    }

    float[] lastState() {
        return lastState;
    }
}
