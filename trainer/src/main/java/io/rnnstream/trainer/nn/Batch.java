package io.rnnstream.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A mini-batch laid out time-major for GEMMs over the batch: row {@code t·B + b} of {@link #x()}
 * is sequence b's step t. Sequences shorter than {@link #steps()} are padded at the end and
 * {@link #mask()} (T·B, 1) holds 1 for real steps and 0 for padding; null when none is padded.
 *
 * @param lengths each sequence's real length
 * @param labels class indices, or null when only predicting
 */
public record Batch(INDArray x, INDArray mask, int size, int steps, int[] lengths, int[] labels) {
    /** Sequence b's step t. */
    public INDArray step(int t) {
        return Nd.rows(x, (long) t * size, (long) (t + 1) * size);
    }

    /** The (B, 1) mask of step t, or null. */
    public INDArray maskAt(int t) {
        return mask == null ? null : Nd.rows(mask, (long) t * size, (long) (t + 1) * size);
    }

    /** Packs {@code seqs} (each (T_i, D)) into a padded, masked batch. */
    public static Batch of(float[][][] seqs, int[] labels) {
        int b = seqs.length;
        int t = 0;
        int d = seqs[0][0].length;
        boolean ragged = false;
        for (float[][] s : seqs) {
            t = Math.max(t, s.length);
        }
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = seqs[i].length;
            ragged |= seqs[i].length != t;
        }
        float[] x = new float[t * b * d];
        float[] m = ragged ? new float[t * b] : null;
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < seqs[i].length; s++) {
                System.arraycopy(seqs[i][s], 0, x, (s * b + i) * d, d);
                if (m != null) {
                    m[s * b + i] = 1f;
                }
            }
        }
        return new Batch(Nd.of(x, (long) t * b, d), m == null ? null : Nd.of(m, (long) t * b, 1), b, t, lengths,
                labels);
    }
}
