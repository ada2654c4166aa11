package io.rnnstream.job.step;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.model.StepKernel;
import java.util.function.LongConsumer;

/**
 * Events of different keys held for a moment so that their steps run as one product
 * ({@link StepKernel#stepN}): each weight the kernel loads then serves several events instead of one,
 * which is where the job's step time goes (docs/BENCHMARKS.md, "Where the operator's time goes").
 *
 * <p>The rules do not change. {@link #stepAhead} steps a copy of each key's state for the events that
 * the {@link SequenceCore} would step next ({@link SequenceCore#nextStepKernel}); then the core takes
 * the events one by one in arrival order, as without a bundle, and whenever it steps a state this
 * bundle stepped ahead, with the same kernel, state array and features, it gets that result
 * ({@link #step}) instead of computing it again. Anything else (a sequence that starts, a buffered
 * step released, a second event of a key in the same bundle) is stepped then and there. The outputs are
 * the kernel's bits either way ({@link StepKernel#stepN} gives every key what {@link StepKernel#step}
 * gives it).
 *
 * <p>Plain Java: the operator ({@link StepOperator}) decides when to flush (size, time, watermark,
 * timer, checkpoint barrier, end of input) and switches keys. Not thread-safe: one per subtask.
 */
final class StepBundle implements SequenceCore.Stepper {
    private final int capacity;
    private final SequenceCore.Stepper fallback;
    private final LongConsumer stepNanos;

    private final Object[] keys;
    private final int[] keyHashes;
    private final Event[] events;
    private final long[] timestamps;
    private final boolean[] hasTimestamp;
    /** The key's bookkeeping as read for {@link #stepAhead}, handed to the core so it is read once. */
    private final SequenceMeta[] metas;
    private final boolean[] firstOfKey;
    private int size;

    /** Per entry stepped ahead: the kernel, the state array it stepped (by identity), the results. */
    private final StepKernel[] kernels;
    private final float[][] stateRead;
    private final float[][] stepped;
    private final float[][] outputs;
    private final boolean[] ready;
    private int current = -1;
    /** Steps the core took from this bundle rather than computing them alone (for tests). */
    private long taken;

    // stepAhead's gathering arrays (one kernel's entries at a time)
    private final int[] group;
    private final float[][] groupStates;
    private final float[][] groupInputs;

    /**
     * @param capacity events per bundle (2 or more)
     * @param fallback steps the events the bundle did not step ahead ({@link SequenceCore#timedStep})
     * @param stepNanos hears each event's share of a batched step's time
     */
    StepBundle(int capacity, SequenceCore.Stepper fallback, LongConsumer stepNanos) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a step bundle holds 2 or more events, not " + capacity);
        }
        this.capacity = capacity;
        this.fallback = fallback;
        this.stepNanos = stepNanos;
        keys = new Object[capacity];
        keyHashes = new int[capacity];
        events = new Event[capacity];
        timestamps = new long[capacity];
        hasTimestamp = new boolean[capacity];
        metas = new SequenceMeta[capacity];
        firstOfKey = new boolean[capacity];
        kernels = new StepKernel[capacity];
        stateRead = new float[capacity][];
        stepped = new float[capacity][];
        outputs = new float[capacity][];
        ready = new boolean[capacity];
        group = new int[capacity];
        groupStates = new float[capacity][];
        groupInputs = new float[capacity][];
    }

    /** Adds an event; true when the bundle is full and must be flushed now. */
    boolean add(Object key, Event e, long timestamp, boolean hasTs) {
        int i = size++;
        int hash = key.hashCode();
        keys[i] = key;
        keyHashes[i] = hash;
        events[i] = e;
        timestamps[i] = timestamp;
        hasTimestamp[i] = hasTs;
        boolean first = true;
        for (int j = 0; j < i && first; j++) {
            // Hash first: a key's String caches it (the key group needed it already), equals is a byte loop.
            first = keyHashes[j] != hash || !keys[j].equals(key);
        }
        firstOfKey[i] = first;
        return size == capacity;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Object key(int i) {
        return keys[i];
    }

    Event event(int i) {
        return events[i];
    }

    long timestamp(int i) {
        return timestamps[i];
    }

    boolean hasTimestamp(int i) {
        return hasTimestamp[i];
    }

    /** Whether entry i is its key's first in this bundle (only then is its state read ahead and stepped). */
    boolean firstOfKey(int i) {
        return firstOfKey[i];
    }

    /** Entry i's key's bookkeeping as read ahead (first entries of a key only), for the core to start from. */
    SequenceMeta meta(int i) {
        return metas[i];
    }

    /**
     * Entry i's key has {@code meta} now; {@code kernel} (null: none) would step its event next
     * ({@link SequenceCore#nextStepKernel}).
     */
    void readAhead(int i, SequenceMeta meta, StepKernel kernel) {
        metas[i] = meta;
        if (kernel != null) {
            kernels[i] = kernel;
            stateRead[i] = meta.state;
        }
    }

    /** Steps every entry given a kernel, as one product per kernel, into copies of their states. */
    void stepAhead() {
        for (int i = 0; i < size; i++) {
            StepKernel k = kernels[i];
            if (k == null || ready[i]) {
                continue;
            }
            int n = 0;
            for (int j = i; j < size; j++) {
                if (kernels[j] == k) {
                    group[n] = j;
                    float[] from = stateRead[j];
                    float[] copy = stepped[j] != null && stepped[j].length == from.length ? stepped[j]
                            : new float[from.length];
                    System.arraycopy(from, 0, copy, 0, from.length);
                    stepped[j] = copy;
                    groupStates[n] = copy;
                    groupInputs[n] = events[j].features;
                    n++;
                }
            }
            long t0 = System.nanoTime();
            float[][] ys = k.stepN(groupStates, groupInputs, n);
            long share = (System.nanoTime() - t0) / n;
            for (int g = 0; g < n; g++) {
                int j = group[g];
                // stepN reuses its output arrays on its next call (the next kernel's group): keep a copy.
                float[] y = ys[g];
                if (outputs[j] == null || outputs[j].length != y.length) {
                    outputs[j] = new float[y.length];
                }
                System.arraycopy(y, 0, outputs[j], 0, y.length);
                ready[j] = true;
                stepNanos.accept(share);
            }
        }
    }

    /** The core is about to take entry i. */
    void enter(int i) {
        current = i;
    }

    @Override
    public float[] step(StepKernel kernel, float[] state, float[] x) {
        int i = current;
        if (i >= 0 && ready[i] && kernels[i] == kernel && stateRead[i] == state && events[i].features == x) {
            // Taken once: a second step of the same state in this event (none today) computes afresh.
            ready[i] = false;
            kernels[i] = null;
            taken++;
            System.arraycopy(stepped[i], 0, state, 0, state.length);
            return outputs[i];
        }
        return fallback.step(kernel, state, x);
    }

    long taken() {
        return taken;
    }

    /** Forgets the entries (after a flush), keeping the arrays. */
    void clear() {
        for (int i = 0; i < size; i++) {
            keys[i] = null;
            events[i] = null;
            metas[i] = null;
            kernels[i] = null;
            stateRead[i] = null;
            ready[i] = false;
        }
        size = 0;
        current = -1;
    }
}
