package io.rnnstream.model.layers;

import io.rnnstream.model.Activation;
import java.util.List;

/**
 * A layer's settings and weights as a reader found them, asked for by the names the native file uses
 * ({@code units}, {@code input_size}, {@code use_bias}, …). Every reader (the native file, a Keras
 * file) implements this once, and every {@link LayerType} reads through it, so that a layer type's
 * settings are interpreted in one place whatever the file.
 *
 * <p>The native file states every setting; a Keras config may leave one out and means Keras's default,
 * so each question carries the default Keras uses (ignored by the native reader).
 */
public interface LayerSettings {
    /** The layer's name, for messages and for the layer. */
    String layerName();

    /** The Keras major version whose defaults fill a setting the file leaves out (3 for the native file). */
    int kerasMajor();

    /** A whole number the layer needs ({@code units}, {@code size}, {@code timesteps}, {@code features}). */
    int integer(String key);

    /** Features per step the layer reads: the native {@code input_size}, or what the layer before gives, else the kernel's rows. */
    int inputSize(Tensor kernel);

    boolean flag(String key, boolean kerasDefault);

    float number(String key, float kerasDefault);

    /** An activation by name; {@code kerasDefault} is Keras's name for it when the file says none. */
    Activation activation(String key, String kerasDefault);

    /**
     * The layer's weights, all those it has, in Keras's creation order ({@code names}); the reader refuses
     * weights the layer does not use and names that are missing when {@link Weights#get} asks for them.
     */
    Weights weights(List<String> names);

    /** One layer's weights by name. */
    interface Weights {
        /** The weight; fails naming the layer and the weight when it is absent. */
        Tensor get(String name);
    }
}
