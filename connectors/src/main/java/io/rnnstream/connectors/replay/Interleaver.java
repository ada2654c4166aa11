package io.rnnstream.connectors.replay;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Turns whole sequences into the event order of live traffic: {@code concurrent} sequences are in
 * flight at once, each next event comes from one of them picked at random (seeded, so a replay is
 * repeatable), and a finished sequence makes room for the next one. Within a key, steps stay in
 * order.
 */
public final class Interleaver implements Iterator<ReplayEvent> {
    /** One sequence to replay: its key and its timesteps (T, D). */
    public record Sequence(String key, float[][] steps) {}

    private final Iterator<Sequence> pending;
    private final List<Sequence> live = new ArrayList<>();
    private final List<Integer> nextStep = new ArrayList<>();
    private final int concurrent;
    private final SplittableRandom random;
    private final long startTs;
    private final long tsStepMillis;
    private long emitted;

    /**
     * @param startTs the {@code ts} of the first event; each later event's {@code ts} is
     *     {@code tsStepMillis} later, so event time advances with the replay
     */
    public Interleaver(Iterator<Sequence> sequences, int concurrent, long seed, long startTs, long tsStepMillis) {
        if (concurrent < 1) {
            throw new IllegalArgumentException("--concurrent must be at least 1, not " + concurrent);
        }
        this.pending = sequences;
        this.concurrent = concurrent;
        this.random = new SplittableRandom(seed);
        this.startTs = startTs;
        this.tsStepMillis = tsStepMillis;
        refill();
    }

    private void refill() {
        while (live.size() < concurrent && pending.hasNext()) {
            Sequence s = pending.next();
            if (s.steps().length == 0) {
                continue;
            }
            live.add(s);
            nextStep.add(0);
        }
    }

    @Override
    public boolean hasNext() {
        return !live.isEmpty();
    }

    @Override
    public ReplayEvent next() {
        if (live.isEmpty()) {
            throw new NoSuchElementException();
        }
        int i = random.nextInt(live.size());
        Sequence s = live.get(i);
        int step = nextStep.get(i);
        boolean end = step == s.steps().length - 1;
        ReplayEvent e = new ReplayEvent(s.key(), step, startTs + emitted * tsStepMillis, s.steps()[step], end);
        emitted++;
        if (end) {
            // Swap-remove keeps this O(1); the order of live sequences does not matter.
            int last = live.size() - 1;
            live.set(i, live.get(last));
            nextStep.set(i, nextStep.get(last));
            live.remove(last);
            nextStep.remove(last);
            refill();
        } else {
            nextStep.set(i, step + 1);
        }
        return e;
    }
}
