package io.rnnstream.model;

import java.util.Locale;

/**
 * Element-wise activations, each exactly as Keras defines it. Where Keras changed a definition
 * between versions, both exist and the importer picks by the file's {@code keras_version}.
 */
public enum Activation {
    LINEAR("linear"),
    TANH("tanh"),
    SIGMOID("sigmoid"),
    /** Keras 1 and 2: {@code clip(0.2 x + 0.5, 0, 1)}. */
    HARD_SIGMOID("hard_sigmoid"),
    /** Keras 3: {@code relu6(x + 3) / 6}, i.e. {@code clip(x / 6 + 0.5, 0, 1)}. */
    HARD_SIGMOID_KERAS3("hard_sigmoid_keras3"),
    RELU("relu"),
    RELU6("relu6"),
    ELU("elu"),
    SELU("selu"),
    SOFTPLUS("softplus"),
    SOFTSIGN("softsign"),
    EXPONENTIAL("exponential"),
    SWISH("swish"),
    /** Over the whole vector, not element-wise: only valid on a Dense head. */
    SOFTMAX("softmax");

    private final String fileName;

    Activation(String fileName) {
        this.fileName = fileName;
    }

    /** The name written to the native model file. */
    public String fileName() {
        return fileName;
    }

    /** The name in a Keras file: Keras 3's hard_sigmoid is "hard_sigmoid" there (the file's keras_version says which). */
    public String kerasName() {
        return this == HARD_SIGMOID_KERAS3 ? "hard_sigmoid" : fileName;
    }

    public static Activation fromFileName(String name) {
        for (Activation a : values()) {
            if (a.fileName.equals(name)) {
                return a;
            }
        }
        throw new ModelException("unknown activation '" + name + "' in the model file");
    }

    /**
     * Maps a Keras activation name to ours.
     *
     * @param kerasMajor the major version of Keras that wrote the file (2 or 3); decides
     *     {@code hard_sigmoid}
     */
    public static Activation fromKeras(String name, int kerasMajor) {
        String n = name == null ? "linear" : name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "linear":
            case "none":
                return LINEAR;
            case "tanh":
                return TANH;
            case "sigmoid":
                return SIGMOID;
            case "hard_sigmoid":
                return kerasMajor >= 3 ? HARD_SIGMOID_KERAS3 : HARD_SIGMOID;
            case "relu":
                return RELU;
            case "relu6":
                return RELU6;
            case "elu":
                return ELU;
            case "selu":
                return SELU;
            case "softplus":
                return SOFTPLUS;
            case "softsign":
                return SOFTSIGN;
            case "exponential":
                return EXPONENTIAL;
            case "swish":
            case "silu":
                return SWISH;
            case "softmax":
                return SOFTMAX;
            default:
                throw new ModelException("unsupported activation '" + name
                        + "': rnnstream supports linear, tanh, sigmoid, hard_sigmoid, relu, relu6, elu, selu,"
                        + " softplus, softsign, exponential, swish and softmax");
        }
    }

    /** Applies the activation to one value; not defined for {@link #SOFTMAX}. */
    public float apply(float x) {
        switch (this) {
            case LINEAR:
                return x;
            case TANH:
                // Math.tanh is not a JIT intrinsic and dominated the step; see FastMath for the bound.
                return FastMath.tanh(x);
            case SIGMOID:
                return FastMath.sigmoid(x);
            case HARD_SIGMOID:
                return Math.max(0f, Math.min(1f, 0.2f * x + 0.5f));
            case HARD_SIGMOID_KERAS3:
                return Math.max(0f, Math.min(6f, x + 3f)) / 6f;
            case RELU:
                return Math.max(0f, x);
            case RELU6:
                return Math.max(0f, Math.min(6f, x));
            case ELU:
                return x > 0 ? x : (float) Math.expm1(x);
            case SELU: {
                final double alpha = 1.6732632423543772848170429916717;
                final double scale = 1.0507009873554804934193349852946;
                return (float) (x > 0 ? scale * x : scale * alpha * Math.expm1(x));
            }
            case SOFTPLUS:
                return (float) (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
            case SOFTSIGN:
                return x / (1f + Math.abs(x));
            case EXPONENTIAL:
                return (float) Math.exp(x);
            case SWISH:
                return (float) (x / (1.0 + Math.exp(-x)));
            default:
                throw new IllegalStateException(this + " is not element-wise");
        }
    }

    /** Applies the activation in place to {@code v[off .. off+len)}. */
    public void apply(float[] v, int off, int len) {
        if (this == LINEAR) {
            return;
        }
        if (this == SOFTMAX) {
            softmax(v, off, len);
            return;
        }
        for (int i = off; i < off + len; i++) {
            v[i] = apply(v[i]);
        }
    }

    /** Numerically stable softmax: subtracts the maximum as Keras does. */
    public static void softmax(float[] v, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            max = Math.max(max, v[i]);
        }
        double sum = 0;
        for (int i = off; i < off + len; i++) {
            float e = (float) Math.exp(v[i] - max);
            v[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = off; i < off + len; i++) {
            v[i] *= inv;
        }
    }
}
