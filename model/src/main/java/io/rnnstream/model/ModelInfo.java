package io.rnnstream.model;

import java.util.List;

/**
 * What a user needs at serving time besides the weights.
 *
 * @param name a short name, e.g. "mnist-simplernn"
 * @param version a positive version number, raised on each retraining
 * @param classNames one name per output unit of a classification head, or empty when unknown
 * @param source where the model came from, e.g. "keras 2.1.3 (model.h5)" or "rnnstream train"
 * @param training how the head was trained and its measured decisions ({@link TrainingInfo#UNKNOWN} when
 *     the file does not say)
 */
public record ModelInfo(String name, int version, List<String> classNames, String source, TrainingInfo training) {
    /** A model whose file does not say how it was trained. */
    public ModelInfo(String name, int version, List<String> classNames, String source) {
        this(name, version, classNames, source, TrainingInfo.UNKNOWN);
    }

    public ModelInfo {
        training = training == null ? TrainingInfo.UNKNOWN : training;
        if (name == null || name.isBlank()) {
            throw new ModelException("a model needs a name");
        }
        if (version < 1) {
            throw new ModelException("a model version is a positive number, not " + version);
        }
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        source = source == null ? "" : source;
    }

    public ModelInfo withName(String n) {
        return new ModelInfo(n, version, classNames, source, training);
    }

    public ModelInfo withVersion(int v) {
        return new ModelInfo(name, v, classNames, source, training);
    }

    public ModelInfo withClassNames(List<String> c) {
        return new ModelInfo(name, version, c, source, training);
    }

    public ModelInfo withTraining(TrainingInfo t) {
        return new ModelInfo(name, version, classNames, source, t);
    }
}
