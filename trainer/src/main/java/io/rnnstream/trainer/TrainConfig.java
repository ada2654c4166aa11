package io.rnnstream.trainer;

import io.rnnstream.model.ModelException;
import io.rnnstream.trainer.nn.LayerSpec;
import io.rnnstream.trainer.nn.Loss;
import io.rnnstream.trainer.nn.Optimizer;
import java.util.List;

/**
 * How to train: the recurrent stack (bottom first), the objective and the optimisation settings.
 * Built with {@link #builder(List)}; {@link Builder#build()} is the one place settings are checked.
 */
public final class TrainConfig {
    private final List<LayerSpec> layers;
    private final int epochs;
    private final int batchSize;
    private final String optimizer;
    private final double learningRate;
    private final double clipNorm;
    private final long seed;
    private final double validationSplit;
    private final int patience;
    private final String name;
    private final Loss loss;
    private final boolean calibrate;

    private TrainConfig(Builder b) {
        this.layers = List.copyOf(b.layers);
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.optimizer = b.optimizer;
        this.learningRate = b.learningRate;
        this.clipNorm = b.clipNorm;
        this.seed = b.seed;
        this.validationSplit = b.validationSplit;
        this.patience = b.patience;
        this.name = b.name;
        this.loss = b.loss;
        this.calibrate = b.calibrate;
    }

    /**
     * Defaults: 10 epochs, batch 32, Adam at 0.001, clip norm 1, seed 42, no validation, the
     * every-step loss, calibration on (it needs a validation split to act).
     */
    public static Builder builder(List<LayerSpec> layers) {
        return new Builder(layers);
    }

    /** The defaults of {@link #builder(List)}. */
    public static TrainConfig of(List<LayerSpec> layers) {
        return builder(layers).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(layers);
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.optimizer = optimizer;
        b.learningRate = learningRate;
        b.clipNorm = clipNorm;
        b.seed = seed;
        b.validationSplit = validationSplit;
        b.patience = patience;
        b.name = name;
        b.loss = loss;
        b.calibrate = calibrate;
        return b;
    }

    public List<LayerSpec> layers() {
        return layers;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public String optimizer() {
        return optimizer;
    }

    /** NaN for the optimizer's Keras default (Adam 0.001, SGD 0.01). */
    public double learningRate() {
        return learningRate;
    }

    /** Maximum global gradient L2 norm, 0 for no clipping. */
    public double clipNorm() {
        return clipNorm;
    }

    public long seed() {
        return seed;
    }

    /** Share of the training data (stratified, seeded) held out to validate, calibrate and measure decisions. */
    public double validationSplit() {
        return validationSplit;
    }

    /** Stop after this many epochs without a better validation loss and keep the best epoch's weights; 0: off. */
    public int patience() {
        return patience;
    }

    public String name() {
        return name;
    }

    /** What the head is trained on: every step (weighted by t) or the last step only. */
    public Loss loss() {
        return loss;
    }

    /** Fit a softmax temperature on the validation split and fold it into the head (when there is one). */
    public boolean calibrate() {
        return calibrate;
    }

    public double effectiveLearningRate() {
        return Double.isNaN(learningRate) ? Optimizer.defaultLearningRate(optimizer) : learningRate;
    }

    public TrainConfig withEpochs(int e) {
        return toBuilder().epochs(e).build();
    }

    public TrainConfig withBatchSize(int b) {
        return toBuilder().batchSize(b).build();
    }

    public TrainConfig withOptimizer(String o, double lr) {
        return toBuilder().optimizer(o, lr).build();
    }

    public TrainConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public TrainConfig withValidation(double split, int pat) {
        return toBuilder().validationSplit(split).patience(pat).build();
    }

    public TrainConfig withName(String n) {
        return toBuilder().name(n).build();
    }

    public TrainConfig withLoss(Loss l) {
        return toBuilder().loss(l).build();
    }

    /** Named settings; {@link #build()} checks them all at once and says what to change. */
    public static final class Builder {
        private final List<LayerSpec> layers;
        private int epochs = 10;
        private int batchSize = 32;
        private String optimizer = "adam";
        private double learningRate = Double.NaN;
        private double clipNorm = 1.0;
        private long seed = 42;
        private double validationSplit;
        private int patience;
        private String name = "model";
        private Loss loss = Loss.EVERY_STEP;
        private boolean calibrate = true;

        private Builder(List<LayerSpec> layers) {
            this.layers = layers == null ? List.of() : layers;
        }

        public Builder epochs(int e) {
            this.epochs = e;
            return this;
        }

        public Builder batchSize(int b) {
            this.batchSize = b;
            return this;
        }

        /** "adam" or "sgd" with its learning rate, NaN for the optimizer's default. */
        public Builder optimizer(String o, double lr) {
            this.optimizer = o;
            this.learningRate = lr;
            return this;
        }

        public Builder clipNorm(double c) {
            this.clipNorm = c;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder validationSplit(double v) {
            this.validationSplit = v;
            return this;
        }

        public Builder patience(int p) {
            this.patience = p;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public Builder loss(Loss l) {
            this.loss = l;
            return this;
        }

        public Builder calibrate(boolean c) {
            this.calibrate = c;
            return this;
        }

        public TrainConfig build() {
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
            if (loss == null) {
                throw new ModelException("--loss must be every-step or last-step");
            }
            return new TrainConfig(this);
        }
    }
}
