package io.rnnstream.bench.peers;

import io.rnnstream.model.Model;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Peer (a): deeplearning4j-nn's {@code MultiLayerNetwork.rnnTimeStep}, one network per operator, each
 * key's h swapped in ({@code rnnSetPreviousState}) before its step and out ({@code rnnGetPreviousState})
 * after, as a keyed operator must. Same weights as rnnstream's model (Keras and DL4J both keep the
 * input kernel as (in, out) and h_t = tanh(x W + h U + b)).
 */
final class Dl4jPeer {
    private final MultiLayerNetwork net;
    private final int in;
    private final int units;
    private final String stateKey;
    private float[] lastState;

    Dl4jPeer(Model model) {
        PeerModel.Parts p = PeerModel.parts(model);
        in = p.in();
        units = p.units();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new SimpleRnn.Builder().nIn(in).nOut(units).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(units).nOut(p.classes())
                        .activation(Activation.SOFTMAX).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        set(0, "W", p.kernel());
        set(0, "RW", p.recurrent());
        set(0, "b", p.bias());
        set(1, "W", p.headKernel());
        set(1, "b", p.headBias());
        // The state map's key is DL4J's own; learn it from one step rather than hard-code it.
        net.rnnTimeStep(Nd4j.zeros(DataType.FLOAT, 1, in));
        Map<String, INDArray> s = net.rnnGetPreviousState(0);
        if (s.size() != 1) {
            throw new IllegalStateException("DL4J SimpleRnn state has " + s.keySet() + ", expected one entry");
        }
        stateKey = s.keySet().iterator().next();
        net.rnnClearPreviousState();
    }

    private void set(int layer, String param, float[] values) {
        INDArray p = net.getLayer(layer).getParam(param);
        p.assign(Nd4j.create(values, p.shape(), 'c'));
    }

    /** One step of one key: h (null at a sequence's start) in, the head's output out; see {@link #lastState}. */
    float[] step(float[] h, float[] x) {
        if (h == null) {
            net.rnnClearPreviousState();
        } else {
            Map<String, INDArray> s = new HashMap<>();
            s.put(stateKey, Nd4j.create(h, new long[] {1, units}, 'c'));
            net.rnnSetPreviousState(0, s);
        }
        INDArray y = net.rnnTimeStep(Nd4j.create(x, new long[] {1, in}, 'c'));
        lastState = net.rnnGetPreviousState(0).get(stateKey).toFloatVector();
        return y.toFloatVector();
    }

    /** The key's h after the last {@link #step}, to store back in its state. */
    float[] lastState() {
        return lastState;
    }
}
