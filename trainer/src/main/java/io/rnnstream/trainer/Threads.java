package io.rnnstream.trainer;

import org.nd4j.linalg.factory.Nd4j;

/** How many threads ND4J's native ops and BLAS may use. */
public final class Threads {
    private Threads() {}

    /** Limits ND4J (OpenMP and BLAS) to {@code n} threads; n ≤ 0 leaves ND4J's own choice. */
    public static void limit(int n) {
        if (n <= 0) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
    }
}
