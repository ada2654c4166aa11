package io.rnnstream.cli;

import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.io.Npy;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = {"Run the model over whole sequences, as Keras's model.predict(x) does.",
            "Input: a NumPy .npy of shape (N, T, D), float32 or float64. Output: float32 .npy of shape (N, K),"
                    + " or (N, T, K) when the model returns sequences or with --sequences."})
final class PredictCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A native .rnns file, a Keras model file or an ONNX .onnx"
            + " file.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "N sequences of T steps of D features: shape (N, T, D).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Where to write the outputs.")
    Path output;

    @Option(names = "--sequences", description = "The head's output at every step, (N, T, K): what the stream emits"
            + " per event.")
    boolean sequences;

    @Override
    protected int run() {
        Model m = ModelLoader.load(model);
        Npy.NpyArray x = Npy.read(input);
        int[] s = x.shape();
        if (s.length != 3) {
            throw new ModelException("input " + input + " has shape " + Npy.shapeString(s) + " but predict needs"
                    + " (N, T, D): sequences × steps × features"
                    + (s.length == 2 ? "; for one sequence add an axis first: x[None]" : ""));
        }
        int n = s[0];
        int t = s[1];
        int d = s[2];
        if (d != m.inputSize()) {
            throw new ModelException("input has D=" + d + " features per step but the model expects "
                    + m.inputSize());
        }
        if (t == 0 && n > 0) {
            throw new ModelException("input has no steps (T=0): each sequence needs at least one");
        }
        float[] data = x.data();
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new ModelException("input has " + (Float.isNaN(data[i]) ? "NaN" : "Inf") + " at sequence "
                        + (i / (t * d)) + ", step " + (i / d % t) + ", feature " + (i % d)
                        + " (counting from 0): clean or impute the input before predicting");
            }
        }
        boolean perStep = sequences || m.outputIsSequence();
        int k = m.outputSize();
        if ((long) n * (perStep ? t : 1) * k > Integer.MAX_VALUE - 8) {
            throw new ModelException("the output would hold " + ((long) n * (perStep ? t : 1) * k) + " values, more"
                    + " than one .npy here can take: split the input into smaller files");
        }
        float[] y = new float[n * (perStep ? t : 1) * k];
        StepKernel kernel = m.whyNotCausal() == null ? new StepKernel(m) : null;
        float[][] seq = new float[t][d];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < t; j++) {
                System.arraycopy(data, (i * t + j) * d, seq[j], 0, d);
            }
            float[][] rows;
            if (sequences) {
                rows = kernel != null ? Forward.sequences(kernel, seq) : Forward.sequences(m, seq);
            } else {
                // the same code Forward.predict runs, with one kernel for all sequences
                rows = kernel != null ? Forward.sequences(kernel, seq) : Forward.predict(m, seq);
                if (!perStep) {
                    rows = new float[][] {rows[rows.length - 1]};
                }
            }
            for (float[] r : rows) {
                System.arraycopy(r, 0, y, at, k);
                at += k;
            }
        }
        int[] shape = perStep ? new int[] {n, t, k} : new int[] {n, k};
        Npy.write(output, shape, y);
        out().println("wrote " + output + ": " + Npy.shapeString(shape) + " float32 from " + m.id());
        return 0;
    }
}
