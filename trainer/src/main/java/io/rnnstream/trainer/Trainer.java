package io.rnnstream.trainer;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.TrainingInfo;
import io.rnnstream.model.layers.Normalization;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.Standardizer;
import io.rnnstream.trainer.nn.Batch;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Network;
import io.rnnstream.trainer.nn.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mini-batch training of a {@link Network} with BPTT: shuffle (seeded), standardise with the
 * training split's statistics, clip the global gradient norm, step the optimizer; validate each
 * epoch when asked and stop early on a validation loss that no longer improves.
 */
public final class Trainer {
    /** Batch size for forward passes that only predict. */
    private static final int PREDICT_BATCH = 256;

    private Trainer() {}

    public static TrainResult train(SequenceDataset data, TrainConfig cfg, TrainListener listener) {
        SequenceDataset fit = data;
        SequenceDataset val = null;
        if (cfg.validationSplit() > 0) {
            SequenceDataset[] parts = data.stratifiedSplit(cfg.validationSplit(), cfg.seed());
            fit = parts[0];
            val = parts[1];
        }
        Normalization norm = Standardizer.fit(fit);
        SequenceDataset fitN = Standardizer.apply(norm, fit);
        SequenceDataset valN = val == null ? null : Standardizer.apply(norm, val);
        Network net = Network.create(cfg.layers(), data.features(), data.numClasses(), cfg.seed());
        Optimizer opt = Optimizer.of(cfg.optimizer(), cfg.effectiveLearningRate());
        Random shuffle = new Random(cfg.seed() ^ 0x5DEECE66DL);

        int n = fitN.size();
        int batches = (n + cfg.batchSize() - 1) / cfg.batchSize();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<EpochStats> history = new ArrayList<>();
        List<INDArray> best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int sinceBest = 0;
        boolean stoppedEarly = false;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            listener.epochStart(epoch, cfg.epochs(), batches);
            shuffle(order, shuffle);
            long start = System.nanoTime();
            double lossSum = 0;
            int correct = 0;
            int seen = 0;
            for (int bi = 0; bi < batches; bi++) {
                int from = bi * cfg.batchSize();
                int to = Math.min(n, from + cfg.batchSize());
                Batch b = batch(fitN, order, from, to);
                Network.StepResult r = net.trainStep(b, cfg.loss());
                List<INDArray> grads = net.grads();
                Optimizer.clipGlobalNorm(grads, cfg.clipNorm());
                opt.update(net.params(), grads);
                lossSum += r.lossSum();
                correct += r.correct();
                seen += b.size();
                double secs = (System.nanoTime() - start) / 1e9;
                listener.batchEnd(epoch, bi + 1, batches, lossSum / seen, (double) correct / seen, seen / secs);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double valLoss = Double.NaN;
            double valAcc = Double.NaN;
            if (valN != null) {
                double[] lossAcc = lossAndAccuracy(net, valN);
                valLoss = lossAcc[0];
                valAcc = lossAcc[1];
            }
            EpochStats s = new EpochStats(epoch, lossSum / seen, (double) correct / seen, valLoss, valAcc, secs,
                    seen / secs);
            history.add(s);
            listener.epochEnd(s, cfg.epochs());
            if (cfg.patience() > 0) {
                if (valLoss < bestLoss) {
                    bestLoss = valLoss;
                    bestEpoch = epoch;
                    best = net.snapshot();
                    sinceBest = 0;
                } else if (++sinceBest >= cfg.patience()) {
                    stoppedEarly = epoch < cfg.epochs();
                    listener.message("early stopping: validation loss has not improved for " + cfg.patience()
                            + " epochs; keeping epoch " + bestEpoch + "'s weights");
                    break;
                }
            } else {
                bestEpoch = epoch;
            }
        }
        if (best != null) {
            net.restore(best);
        }
        ModelInfo info = new ModelInfo(cfg.name(), 1, data.classNames(), "rnnstream train (" + data.name() + ", "
                + LayerSpec.format(cfg.layers()) + ", " + cfg.loss().label() + " loss, seed " + cfg.seed() + ")");
        int timesteps = data.minLength() == data.maxLength() ? data.maxLength() : -1;
        String weights = cfg.loss().stepWeights();
        Model model = net.toModel(info, norm, timesteps);
        CalibrationResult cal = null;
        TrainingInfo training = new TrainingInfo(cfg.loss().label(), weights, Double.NaN, Double.NaN, Double.NaN, 0,
                List.of());
        if (val != null) {
            listener.message("measuring per-step confidence and decisions on " + val.size() + " validation sequences");
            Evaluation before = Evaluation.of(model, val);
            Evaluation after = before;
            double temperature = Double.NaN;
            boolean enough = val.size() >= MIN_CALIBRATION_SEQUENCES;
            if (cfg.calibrate() && !enough) {
                listener.message("not calibrating: " + val.size() + " validation sequences are too few to fit a"
                        + " temperature on (at least " + MIN_CALIBRATION_SEQUENCES + "; raise --validation-split);"
                        + " the decision table is measured on them all the same");
            }
            if (cfg.calibrate() && enough) {
                StepLogits z = validationLogits(net, valN);
                temperature = Calibration.fitTemperature(z.logits(), z.labels());
                net.scaleHead(1 / temperature);
                model = net.toModel(info, norm, timesteps);
                after = Evaluation.of(model, val);
            }
            cal = new CalibrationResult(temperature, before, after);
            training = new TrainingInfo(cfg.loss().label(), weights, temperature, before.ece(),
                    Double.isNaN(temperature) ? Double.NaN : after.ece(), val.size(), after.decisions());
        }
        model = model.withInfo(info.withTraining(training));
        return new TrainResult(model, history, bestEpoch, stoppedEarly, fit.size(), val == null ? 0 : val.size(), cal);
    }

    /**
     * Below this many validation sequences no temperature is fitted: on a few dozen sequences the
     * fit follows their noise (JapaneseVowels' 27 gave T = 0.17, a 6× sharpening that made every
     * early output overconfident on the test set).
     */
    public static final int MIN_CALIBRATION_SEQUENCES = 100;

    /**
     * What calibration measured on the validation split.
     *
     * @param temperature the fitted temperature, folded into the head; NaN when not calibrated
     * @param before the validation scores of the model as trained
     * @param after the validation scores of the model as stored (calibrated when asked)
     */
    public record CalibrationResult(double temperature, Evaluation before, Evaluation after) {}

    /** The head's logits at every real step of every validation sequence, and each row's label. */
    private record StepLogits(double[][] logits, int[] labels) {}

    private static StepLogits validationLogits(Network net, SequenceDataset valN) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] all = new int[valN.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        for (int from = 0; from < all.length; from += PREDICT_BATCH) {
            int to = Math.min(all.length, from + PREDICT_BATCH);
            Batch b = batch(valN, all, from, to);
            double[][] z = net.logitsEveryStep(b);
            for (int i = 0; i < b.size(); i++) {
                for (int t = 0; t < b.lengths()[i]; t++) {
                    rows.add(z[t * b.size() + i]);
                    labels.add(valN.y()[from + i]);
                }
            }
        }
        return new StepLogits(rows.toArray(new double[0][]), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Mean cross-entropy and accuracy of the batched forward pass over {@code data} (standardised). */
    public static double[] lossAndAccuracy(Network net, SequenceDataset data) {
        double[][] p = predict(net, data);
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            loss -= Math.log(Math.max(p[i][data.y()[i]], 1e-300));
            if (Network.argmax(p[i]) == data.y()[i]) {
                correct++;
            }
        }
        return new double[] {loss / p.length, (double) correct / p.length};
    }

    /** Class probabilities of every sequence of {@code data} (standardised), by the batched forward pass. */
    public static double[][] predict(Network net, SequenceDataset data) {
        double[][] out = new double[data.size()][];
        int[] all = new int[data.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        for (int from = 0; from < all.length; from += PREDICT_BATCH) {
            int to = Math.min(all.length, from + PREDICT_BATCH);
            double[][] p = net.predict(batch(data, all, from, to));
            System.arraycopy(p, 0, out, from, p.length);
        }
        return out;
    }

    static Batch batch(SequenceDataset d, int[] order, int from, int to) {
        float[][][] xs = new float[to - from][][];
        int[] ys = new int[to - from];
        for (int i = from; i < to; i++) {
            xs[i - from] = d.x()[order[i]];
            ys[i - from] = d.y()[order[i]];
        }
        return Batch.of(xs, ys);
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
