package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Labelled sequences for classification: sequence i has {@code x[i].length} timesteps (lengths may
 * differ) of {@link #features()} floats each, and class {@code y[i]} indexing {@link #classNames()}.
 */
public record SequenceDataset(String name, float[][][] x, int[] y, List<String> classNames) {
    public SequenceDataset {
        if (x.length != y.length) {
            throw new ModelException(name + ": " + x.length + " sequences but " + y.length + " labels");
        }
        classNames = List.copyOf(classNames);
        int d = -1;
        for (int i = 0; i < x.length; i++) {
            if (x[i].length == 0) {
                throw new ModelException(name + ": sequence " + i + " has no timesteps");
            }
            for (float[] step : x[i]) {
                if (d < 0) {
                    d = step.length;
                } else if (step.length != d) {
                    throw new ModelException(name + ": sequence " + i + " has a step of " + step.length
                            + " features where the others have " + d);
                }
            }
            if (y[i] < 0 || y[i] >= classNames.size()) {
                throw new ModelException(name + ": sequence " + i + " has class index " + y[i] + " but there are "
                        + classNames.size() + " classes");
            }
        }
    }

    public int size() {
        return x.length;
    }

    /** D: features per timestep (0 for an empty data set). */
    public int features() {
        return x.length == 0 ? 0 : x[0][0].length;
    }

    public int numClasses() {
        return classNames.size();
    }

    public int maxLength() {
        int m = 0;
        for (float[][] s : x) {
            m = Math.max(m, s.length);
        }
        return m;
    }

    public int minLength() {
        int m = Integer.MAX_VALUE;
        for (float[][] s : x) {
            m = Math.min(m, s.length);
        }
        return x.length == 0 ? 0 : m;
    }

    /** The sequences at {@code idx}, in that order (arrays shared, not copied). */
    public SequenceDataset subset(int[] idx) {
        float[][][] nx = new float[idx.length][][];
        int[] ny = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            nx[i] = x[idx[i]];
            ny[i] = y[idx[i]];
        }
        return new SequenceDataset(name, nx, ny, classNames);
    }

    /** Sequences {@code [from, to)}. */
    public SequenceDataset range(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return subset(idx);
    }

    /** The first {@code n} sequences (all when n ≤ 0 or n ≥ size). */
    public SequenceDataset limit(int n) {
        return n <= 0 || n >= size() ? this : range(0, n);
    }

    /**
     * Splits off {@code fraction} of each class at random (seeded), so both parts keep the class
     * mix: element 0 is the rest, element 1 the split-off part.
     */
    public SequenceDataset[] stratifiedSplit(double fraction, long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < numClasses(); k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < size(); i++) {
            byClass.get(y[i]).add(i);
        }
        List<Integer> keep = new ArrayList<>();
        List<Integer> off = new ArrayList<>();
        for (List<Integer> members : byClass) {
            java.util.Collections.shuffle(members, rnd);
            int n = (int) Math.round(members.size() * fraction);
            if (fraction > 0 && n == 0 && members.size() > 1) {
                n = 1;
            }
            off.addAll(members.subList(0, n));
            keep.addAll(members.subList(n, members.size()));
        }
        java.util.Collections.sort(keep);
        java.util.Collections.sort(off);
        return new SequenceDataset[] {subset(toArray(keep)), subset(toArray(off))};
    }

    private static int[] toArray(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    /** Count of sequences per class. */
    public int[] classCounts() {
        int[] c = new int[numClasses()];
        for (int v : y) {
            c[v]++;
        }
        return c;
    }

    @Override
    public String toString() {
        return name + ": " + size() + " sequences, " + minLength() + "–" + maxLength() + " steps × " + features()
                + " features, " + numClasses() + " classes " + Arrays.toString(classCounts());
    }
}
