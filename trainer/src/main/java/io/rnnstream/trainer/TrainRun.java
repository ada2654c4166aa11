package io.rnnstream.trainer;

import io.rnnstream.model.ModelException;
import io.rnnstream.trainer.data.Datasets;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.TrainTest;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Loss;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A whole training run as the CLI's {@code train} performs it: load the data, train, evaluate on
 * the held-out part with the step kernel, and write the report. Writing the model file is the
 * caller's part.
 */
public final class TrainRun {
    private TrainRun() {}

    /**
     * @param limit train on the first {@code limit} sequences only (0: all)
     * @param testFraction for data without its own test part, the stratified share held out
     * @param report a folder for index.html, plots and metrics.json, or null
     */
    public record Options(String data, TrainConfig config, int limit, double testFraction, Path report) {}

    /** The trained model's history and its scores on the held-out test part. */
    public record Outcome(TrainResult result, Evaluation test, TrainTest data, double evalSeconds) {}

    public static Outcome run(Options o, TrainListener listener, PrintStream log) {
        TrainTest tt = Datasets.load(o.data(), o.testFraction(), o.config().seed());
        SequenceDataset train = tt.train().limit(o.limit());
        log.println("data: " + train + "; test " + tt.test().size() + " sequences");
        log.println("model: " + LayerSpec.format(o.config().layers()) + " → Dense(" + train.numClasses()
                + ", softmax); " + o.config().optimizer() + " lr " + o.config().effectiveLearningRate() + ", batch "
                + o.config().batchSize() + ", clip-norm " + o.config().clipNorm() + ", seed " + o.config().seed() + "; "
                + o.config().loss().label() + " loss");
        if (o.config().validationSplit() == 0) {
            log.println("no --validation-split: the model will not be calibrated and its file carries no decision"
                    + " table (--decide-at-precision needs one); add --validation-split 0.1 for both");
        }
        TrainResult r = Trainer.train(train, o.config(), listener);
        long start = System.nanoTime();
        Evaluation e = Evaluation.of(r.model(), tt.test());
        double evalSecs = (System.nanoTime() - start) / 1e9;
        log.println(String.format(Locale.ROOT, "test accuracy %.4f (%d sequences, step kernel, %.1f s); %.2f s per"
                + " epoch", e.accuracy(), e.size(), evalSecs, r.meanSecondsPerEpoch()));
        for (double p : new double[] {0.9, 0.95}) {
            io.rnnstream.model.TrainingInfo.DecisionPoint d = e.decisionAt(p);
            log.println(String.format(Locale.ROOT, "test decisions at confidence %.2f: precision %.4f, %.1f %% decided,"
                    + " mean decision step %.2f of %.1f", p, d.precision(), 100 * d.decided(), d.meanDecisionStep(),
                    d.meanLength()));
        }
        if (r.calibration() != null) {
            log.println(String.format(Locale.ROOT, "calibration on %d validation sequences: temperature %.4f, expected"
                    + " calibration error %.4f → %.4f", r.validationSize(), r.calibration().temperature(),
                    r.calibration().before().ece(), r.calibration().after().ece()));
        }
        Outcome out = new Outcome(r, e, tt, evalSecs);
        if (o.report() != null) {
            try {
                Report.write(o.report(), o, out);
            } catch (IOException ex) {
                throw new ModelException("cannot write the report to " + o.report() + ": " + ex.getMessage(), ex);
            }
            log.println("report: " + o.report().resolve("index.html"));
        }
        return out;
    }

    /**
     * For development without the CLI module: {@code --data mnist --layers "SimpleRNN(128)" --epochs 20
     * [--batch 32] [--lr 0.001] [--optimizer adam] [--clip-norm 1] [--seed 42] [--validation-split 0]
     * [--patience 0] [--loss every-step] [--limit 0] [--report DIR] [--threads 1]}. Writes no model file.
     */
    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Threads.limit(Integer.parseInt(a.getOrDefault("threads", "0")));
        TrainConfig cfg = TrainConfig.builder(LayerSpec.parseList(a.getOrDefault("layers", "SimpleRNN(128)")))
                .epochs(Integer.parseInt(a.getOrDefault("epochs", "10")))
                .batchSize(Integer.parseInt(a.getOrDefault("batch", "32")))
                .optimizer(a.getOrDefault("optimizer", "adam"), Double.parseDouble(a.getOrDefault("lr", "NaN")))
                .clipNorm(Double.parseDouble(a.getOrDefault("clip-norm", "1")))
                .seed(Long.parseLong(a.getOrDefault("seed", "42")))
                .validationSplit(Double.parseDouble(a.getOrDefault("validation-split", "0")))
                .patience(Integer.parseInt(a.getOrDefault("patience", "0")))
                .loss(Loss.parse(a.getOrDefault("loss", "every-step")))
                .name(a.getOrDefault("name", "model"))
                .build();
        Path report = a.containsKey("report") ? Path.of(a.get("report")) : null;
        run(new Options(a.getOrDefault("data", "mnist"), cfg, Integer.parseInt(a.getOrDefault("limit", "0")), 0.2,
                report), new TrainProgress(System.err), System.err);
    }
}
