package io.rnnstream.trainer.nn;

import io.rnnstream.model.ModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Updates parameters in place from their gradients: Adam (Keras's defaults) or plain SGD. */
public abstract class Optimizer {
    protected final double learningRate;

    protected Optimizer(double learningRate) {
        if (!(learningRate > 0)) {
            throw new ModelException("the learning rate must be positive, not " + learningRate);
        }
        this.learningRate = learningRate;
    }

    public static Optimizer of(String name, double learningRate) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(learningRate);
            case "sgd" -> new Sgd(learningRate);
            default -> throw new ModelException("unknown optimizer '" + name + "'; use adam or sgd");
        };
    }

    /** Keras's default learning rates: Adam 0.001, SGD 0.01. */
    public static double defaultLearningRate(String name) {
        return name.equalsIgnoreCase("sgd") ? 0.01 : 0.001;
    }

    public abstract void update(List<INDArray> params, List<INDArray> grads);

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm}
     * (as PyTorch's clip_grad_norm_ and Keras's global_clipnorm).
     *
     * @return the norm before clipping
     */
    public static double clipGlobalNorm(List<INDArray> grads, double maxNorm) {
        double sq = 0;
        for (INDArray g : grads) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            double s = maxNorm / (norm + 1e-6);
            for (INDArray g : grads) {
                g.muli(s);
            }
        }
        return norm;
    }

    /** p ← p − lr · g. */
    static final class Sgd extends Optimizer {
        Sgd(double lr) {
            super(lr);
        }

        @Override
        public void update(List<INDArray> params, List<INDArray> grads) {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).subi(grads.get(i).mul(learningRate));
            }
        }
    }

    /** Adam with β1 0.9, β2 0.999, ε 1e-7 (Keras's values) and bias correction. */
    static final class Adam extends Optimizer {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPSILON = 1e-7;
        private final List<INDArray> m = new ArrayList<>();
        private final List<INDArray> v = new ArrayList<>();
        private final List<INDArray> scratch = new ArrayList<>();
        private long t;

        Adam(double lr) {
            super(lr);
        }

        @Override
        public void update(List<INDArray> params, List<INDArray> grads) {
            if (m.isEmpty()) {
                for (INDArray p : params) {
                    m.add(org.nd4j.linalg.factory.Nd4j.zerosLike(p));
                    v.add(org.nd4j.linalg.factory.Nd4j.zerosLike(p));
                    scratch.add(org.nd4j.linalg.factory.Nd4j.zerosLike(p));
                }
            }
            t++;
            double lrT = learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
            for (int i = 0; i < params.size(); i++) {
                INDArray g = grads.get(i);
                // One scratch array per parameter instead of four new ones per update: the same
                // operations in the same order, so the same numbers.
                INDArray tmp = scratch.get(i);
                INDArray mi = m.get(i).muli(BETA1).addi(g.mul(1 - BETA1, tmp));
                INDArray vi = v.get(i).muli(BETA2).addi(g.mul(g, tmp).muli(1 - BETA2));
                // Keras: p −= lr_t · m / (sqrt(v) + ε·sqrt(1 − β2^t))
                tmp.assign(vi);
                INDArray denom = Transforms.sqrt(tmp, false).addi(EPSILON * Math.sqrt(1 - Math.pow(BETA2, t)));
                params.get(i).subi(mi.div(denom, denom).muli(lrT));
            }
        }
    }
}
