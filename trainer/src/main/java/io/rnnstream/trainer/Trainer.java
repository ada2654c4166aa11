package io.rnnstream.trainer;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelInfo;
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
                Network.StepResult r = net.trainStep(b);
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
                + LayerSpec.format(cfg.layers()) + ", seed " + cfg.seed() + ")");
        int timesteps = data.minLength() == data.maxLength() ? data.maxLength() : -1;
        Model model = net.toModel(info, norm, timesteps);
        return new TrainResult(model, history, bestEpoch, stoppedEarly, fit.size(), val == null ? 0 : val.size());
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
