package io.rnnstream.trainer;

import io.rnnstream.model.ModelException;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Optimizer;
import java.util.List;

/**
 * How to train: the recurrent stack (bottom first) and the optimisation settings.
 *
 * @param learningRate NaN for the optimizer's Keras default (Adam 0.001, SGD 0.01)
 * @param clipNorm maximum global gradient L2 norm, 0 for no clipping
 * @param validationSplit share of the training data (stratified, seeded) held out to validate each epoch
 * @param patience stop after this many epochs without a better validation loss and keep the best
 *     epoch's weights; 0 trains every epoch
 */
public record TrainConfig(List<LayerSpec> layers, int epochs, int batchSize, String optimizer, double learningRate,
        double clipNorm, long seed, double validationSplit, int patience, String name) {
    public TrainConfig {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new ModelException("give at least one recurrent layer, e.g. --layers \"LSTM(64)\"");
        }
        if (epochs < 1) {
            throw new ModelException("--epochs must be at least 1, not " + epochs);
        }
        if (batchSize < 1) {
            throw new ModelException("--batch must be at least 1, not " + batchSize);
        }
        Optimizer.of(optimizer, Double.isNaN(learningRate) ? 0.001 : learningRate);
        if (clipNorm < 0) {
            throw new ModelException("--clip-norm must be 0 (off) or positive, not " + clipNorm);
        }
        if (validationSplit < 0 || validationSplit >= 1) {
            throw new ModelException("--validation-split must be in [0, 1), not " + validationSplit);
        }
        if (patience < 0) {
            throw new ModelException("--patience must be 0 (off) or positive, not " + patience);
        }
        if (patience > 0 && validationSplit == 0) {
            throw new ModelException("--patience needs a validation set: add e.g. --validation-split 0.1");
        }
        if (name == null || name.isBlank()) {
            throw new ModelException("--name must not be blank");
        }
    }

    /** Defaults: 10 epochs, batch 32, Adam at 0.001, clip norm 1, seed 42, no validation. */
    public static TrainConfig of(List<LayerSpec> layers) {
        return new TrainConfig(layers, 10, 32, "adam", Double.NaN, 1.0, 42, 0, 0, "model");
    }

    public double effectiveLearningRate() {
        return Double.isNaN(learningRate) ? Optimizer.defaultLearningRate(optimizer) : learningRate;
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(layers, e, batchSize, optimizer, learningRate, clipNorm, seed, validationSplit,
                patience, name);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(layers, epochs, b, optimizer, learningRate, clipNorm, seed, validationSplit, patience,
                name);
    }

    public TrainConfig withOptimizer(String o, double lr) {
        return new TrainConfig(layers, epochs, batchSize, o, lr, clipNorm, seed, validationSplit, patience, name);
    }

    public TrainConfig withClipNorm(double c) {
        return new TrainConfig(layers, epochs, batchSize, optimizer, learningRate, c, seed, validationSplit, patience,
                name);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(layers, epochs, batchSize, optimizer, learningRate, clipNorm, s, validationSplit,
                patience, name);
    }

    public TrainConfig withValidation(double split, int pat) {
        return new TrainConfig(layers, epochs, batchSize, optimizer, learningRate, clipNorm, seed, split, pat, name);
    }

    public TrainConfig withName(String n) {
        return new TrainConfig(layers, epochs, batchSize, optimizer, learningRate, clipNorm, seed, validationSplit,
                patience, n);
    }
}
