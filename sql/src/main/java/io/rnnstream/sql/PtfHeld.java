package io.rnnstream.sql;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.order.TsOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.table.api.dataview.MapView;

/**
 * One key's events held for event-time order ({@link TsOrder}'s buffer) over the PTF's state entries:
 * {@code held_by_ts} (ts → the events of that ts in arrival order) and {@code held_count} (one entry,
 * how many in all). Both are map views, not value state: Flink reads, converts and hashes a PTF's value
 * state on every call, a map view only when it is touched, so rows ordered by {@code step} pay nothing.
 */
final class PtfHeld implements TsOrder.Held {
    private static final String COUNT = "n";

    private final MapView<Long, List<Event>> byTs;
    private final MapView<String, Integer> count;

    PtfHeld(MapView<Long, List<Event>> byTs, MapView<String, Integer> count) {
        this.byTs = byTs;
        this.count = count;
    }

    @Override
    public List<Event> at(long ts) throws Exception {
        return byTs.get(ts);
    }

    @Override
    public void put(long ts, List<Event> events) throws Exception {
        byTs.put(ts, events);
    }

    @Override
    public void remove(long ts) throws Exception {
        byTs.remove(ts);
    }

    @Override
    public int count() throws Exception {
        Integer n = count.get(COUNT);
        return n == null ? 0 : n;
    }

    @Override
    public void count(int n) throws Exception {
        if (n > 0) {
            count.put(COUNT, n);
        } else {
            count.remove(COUNT);
        }
    }

    /** The held ts at or behind {@code watermark}, ascending: what a watermark that passed them releases. */
    List<Long> dueBy(long watermark) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Long ts : byTs.keys()) {
            if (ts <= watermark) {
                due.add(ts);
            }
        }
        Collections.sort(due);
        return due;
    }
}
