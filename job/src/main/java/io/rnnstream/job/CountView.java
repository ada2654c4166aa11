package io.rnnstream.job;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;

/**
 * A Flink counter that shows a count kept in plain Java (the stages' rules count without Flink), so the
 * metric keeps the type and name it always had.
 */
public final class CountView implements Counter {
    private final LongSupplier count;

    public CountView(LongSupplier count) {
        this.count = count;
    }

    @Override
    public void inc() {
        throw new UnsupportedOperationException("counted by the stage's rules, not through the metric");
    }

    @Override
    public void inc(long n) {
        inc();
    }

    @Override
    public void dec() {
        inc();
    }

    @Override
    public void dec(long n) {
        inc();
    }

    @Override
    public long getCount() {
        return count.getAsLong();
    }
}
