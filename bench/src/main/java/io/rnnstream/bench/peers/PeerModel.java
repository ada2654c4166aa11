package io.rnnstream.bench.peers;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.SimpleRnn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one model every contestant runs: the {@code torch-mnist-simplernn128} conformance case,
 * SimpleRNN(128) → Dense(10, softmax) on 28 features, as Keras HDF5 (for rnnstream, DL4J and ND4J) and
 * as ONNX (the same weights, for ONNX Runtime). Both files are copies from the project's conformance
 * fixtures; see {@code src/main/resources/peers/README.md}.
 */
public final class PeerModel {
    static final String H5 = "/peers/mnist-simplernn128.h5";
    static final String ONNX = "/peers/mnist-simplernn128.onnx";

    private PeerModel() {}

    public static Model load() {
        try (InputStream in = PeerModel.class.getResourceAsStream(H5)) {
            Path tmp = Files.createTempFile("mnist-simplernn128", ".h5");
            try {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return ModelLoader.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] onnx() {
        try (InputStream in = PeerModel.class.getResourceAsStream(ONNX)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model's two layers; the peers are written for exactly this shape. */
    record Parts(SimpleRnn rnn, Dense head) {
        float[] kernel() {
            return rnn.weights().get("kernel").data();
        }

        float[] recurrent() {
            return rnn.weights().get("recurrent_kernel").data();
        }

        float[] bias() {
            return rnn.weights().get("bias").data();
        }

        float[] headKernel() {
            return head.weights().get("kernel").data();
        }

        float[] headBias() {
            return head.weights().get("bias").data();
        }

        int in() {
            return rnn.inputSize();
        }

        int units() {
            return rnn.units();
        }

        int classes() {
            return head.units();
        }
    }

    static Parts parts(Model m) {
        SimpleRnn rnn = null;
        Dense head = null;
        for (Layer l : m.layers()) {
            if (l instanceof SimpleRnn s && rnn == null) {
                rnn = s;
            } else if (l instanceof Dense d && rnn != null && head == null) {
                head = d;
            } else {
                throw new IllegalArgumentException("the peers run SimpleRNN → Dense only, not " + l.type());
            }
        }
        if (rnn == null || head == null) {
            throw new IllegalArgumentException("the peers need a SimpleRNN followed by a Dense head");
        }
        return new Parts(rnn, head);
    }

    static int argMax(float[] y) {
        int best = 0;
        for (int i = 1; i < y.length; i++) {
            if (y[i] > y[best]) {
                best = i;
            }
        }
        return best;
    }
}
