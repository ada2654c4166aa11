package io.rnnstream.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Peer (b): ONNX Runtime Java on the exported model, which keeps no state between calls: each event
 * reruns the key's whole window of inputs, shape (1, n, D), and keeps the last step's output. One
 * intra-op thread, as one operator gets one core.
 */
final class OnnxWindowPeer implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;

    OnnxWindowPeer(byte[] onnx) {
        try {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(onnx, so);
            input = session.getInputNames().iterator().next();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** The output at the window's last step. */
    float[] run(List<float[]> window) {
        int n = window.size();
        int d = window.get(0).length;
        FloatBuffer buf = FloatBuffer.allocate(n * d);
        for (float[] x : window) {
            buf.put(x);
        }
        buf.flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, buf, new long[] {1, n, d});
                OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][][] y = (float[][][]) r.get(0).getValue();
            return y[0][n - 1];
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
