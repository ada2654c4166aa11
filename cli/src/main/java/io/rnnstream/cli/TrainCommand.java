package io.rnnstream.cli;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.keras.KerasExport;
import io.rnnstream.model.onnx.OnnxExport;
import io.rnnstream.trainer.TrainProgress;
import io.rnnstream.trainer.Threads;
import io.rnnstream.trainer.TrainConfig;
import io.rnnstream.trainer.TrainRun;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Loss;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream train}: trains a recurrent classifier offline on ND4J and writes it as a native
 * model file, standardisation and class names included.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a SimpleRNN/LSTM/GRU classifier (a Dense softmax head read at every step) and write"
                + " it as a model file, calibrated and with its measured decision table when given a validation"
                + " split.",
            "Example: rnnstream train --data mnist --layers \"SimpleRNN(128)\" --epochs 20 --batch 32"
                + " --validation-split 0.1 --out models/mnist-simplernn.rnns --report target/report"})
public final class TrainCommand extends BaseCommand {
    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "mnist, japanese-vowels, basic-motions (bundled in data/), or a path: a sktime .ts file"
                    + " (its _TEST twin is the test set), a CSV sequence,step,feature…,label, or a folder with"
                    + " X.npy (N,T,D), y.npy (N,) [, lengths.npy, classes.txt]")
    String data;

    @Option(names = "--layers", defaultValue = "SimpleRNN(128)", paramLabel = "STACK",
            description = "recurrent layers, bottom first: \"SimpleRNN(128)\", \"LSTM(64)\", \"GRU(32)\","
                    + " \"LSTM(64),LSTM(32)\" (default: ${DEFAULT-VALUE})")
    String layers;

    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "the model file to write")
    Path out;

    @Option(names = "--export-keras", paramLabel = "FILE.h5",
            description = "also write the trained model as a Keras 2 full-model HDF5 file (model.save(\"x.h5\")'s"
                    + " layout) that Keras and rnnstream load to the same outputs")
    Path exportKeras;

    @Option(names = "--export-onnx", paramLabel = "FILE.onnx",
            description = "also write the trained model as a per-step ONNX graph (x (batch, time, features) → y"
                    + " (batch, time, classes)) that ONNX Runtime runs to predict --sequences' outputs")
    Path exportOnnx;

    @Option(names = "--lr", description = "learning rate (default: Adam 0.001, SGD 0.01)")
    Double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--clip-norm", defaultValue = "1.0",
            description = "clip the global gradient L2 norm to this; 0 turns clipping off (default: ${DEFAULT-VALUE})")
    double clipNorm;

    @Option(names = "--seed", defaultValue = "42",
            description = "seeds initialisation, shuffling and splits: the same seed repeats a run"
                    + " (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--validation-split", defaultValue = "0",
            description = "share of the training data held out (stratified) to validate each epoch"
                    + " (default: ${DEFAULT-VALUE})")
    double validationSplit;

    @Option(names = "--patience", defaultValue = "0",
            description = "stop after this many epochs without a better validation loss, keeping the best"
                    + " epoch's weights; needs --validation-split (default: ${DEFAULT-VALUE}, off)")
    int patience;

    @Option(names = "--loss", defaultValue = "every-step", paramLabel = "every-step|last-step",
            description = "every-step: cross-entropy of the head at every step, step t of L weighted"
                    + " ½·t/(1+…+L) + ½ on the last step, so the per-step outputs the stream emits mean something; last-step: the last step only, as"
                    + " Keras trains a return_sequences=False model (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--calibrate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "fit a softmax temperature on the validation split and fold it into the head, and store"
                    + " the measured decision table in the model file; needs --validation-split (default: on)")
    boolean calibrate;

    @Option(names = "--name", description = "the model's name (default: the --out file's name)")
    String name;

    @Option(names = "--report", paramLabel = "DIR",
            description = "write index.html, PNG plots and metrics.json here")
    Path report;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "train on the first N training sequences only (default: all)")
    int limit;

    @Option(names = "--test-split", defaultValue = "0.2",
            description = "for data without its own test part: the share held out to test"
                    + " (default: ${DEFAULT-VALUE})")
    double testSplit;

    @Option(names = "--threads", defaultValue = "1",
            description = "threads for ND4J's native ops and BLAS; 0 lets ND4J choose (default: ${DEFAULT-VALUE})")
    int threads;

    PrintStream err = System.err;

    @Override
    protected int run() throws Exception {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Threads.limit(threads);
        String modelName = name != null ? name : out.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        TrainConfig cfg = TrainConfig.builder(LayerSpec.parseList(layers))
                .epochs(epochs)
                .batchSize(batch)
                .optimizer(optimizer, lr == null ? Double.NaN : lr)
                .clipNorm(clipNorm)
                .seed(seed)
                .validationSplit(validationSplit)
                .patience(patience)
                .loss(Loss.parse(loss))
                .calibrate(calibrate)
                .name(modelName)
                .build();
        TrainRun.Outcome o = TrainRun.run(new TrainRun.Options(data, cfg, limit, testSplit, report),
                new TrainProgress(err), err);
        Model model = o.result().model();
        ModelFile.write(model, out);
        err.println("model: " + out + " (" + model.id() + ", " + model.describe() + ")");
        if (exportKeras != null) {
            KerasExport.write(model, exportKeras);
            err.println("keras: " + exportKeras + " (Keras " + KerasExport.kerasVersion(model)
                    + " full-model HDF5)");
        }
        if (exportOnnx != null) {
            OnnxExport.write(model, exportOnnx);
            err.println("onnx: " + exportOnnx + " (opset " + OnnxExport.OPSET + ", per-step graph)");
        }
        err.flush();
        return 0;
    }
}
