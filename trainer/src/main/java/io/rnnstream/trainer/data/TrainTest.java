package io.rnnstream.trainer.data;

/** A data set's training and held-out test parts; both share the class names. */
public record TrainTest(SequenceDataset train, SequenceDataset test) {
    public TrainTest {
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException("train and test class names differ: " + train.classNames() + " vs "
                    + test.classNames());
        }
        if (train.size() > 0 && test.size() > 0 && train.features() != test.features()) {
            throw new IllegalArgumentException("train has " + train.features() + " features per step, test has "
                    + test.features());
        }
    }
}
