package io.rnnstream.model;

import java.util.List;

/**
 * What a user needs at serving time besides the weights.
 *
 * @param name a short name, e.g. "mnist-simplernn"
 * @param version a positive version number, raised on each retraining
 * @param classNames one name per output unit of a classification head, or empty when unknown
 * @param source where the model came from, e.g. "keras 2.1.3 (model.h5)" or "rnnstream train"
 */
public record ModelInfo(String name, int version, List<String> classNames, String source) {
    public ModelInfo {
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
        return new ModelInfo(n, version, classNames, source);
    }

    public ModelInfo withVersion(int v) {
        return new ModelInfo(name, v, classNames, source);
    }

    public ModelInfo withClassNames(List<String> c) {
        return new ModelInfo(name, version, c, source);
    }
}
