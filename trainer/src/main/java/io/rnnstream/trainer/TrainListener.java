package io.rnnstream.trainer;

/** Hears about training progress; every method has a do-nothing default. */
public interface TrainListener {
    TrainListener NONE = new TrainListener() {};

    default void epochStart(int epoch, int epochs, int batches) {}

    /** After each mini-batch, with the epoch's running mean loss and accuracy so far. */
    default void batchEnd(int epoch, int batch, int batches, double loss, double accuracy, double examplesPerSecond) {}

    default void epochEnd(EpochStats stats, int epochs) {}

    default void message(String line) {}
}
