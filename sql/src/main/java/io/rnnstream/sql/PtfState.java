package io.rnnstream.sql;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.step.KeyState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.functions.ProcessTableFunction;

/**
 * One key's state as the core sees it, over the PTF's state entries. The PTF hands its value state in
 * as a mutable object that Flink writes back when the call returns, and never hands in null: a
 * {@link SequenceMeta} that is all defaults is what "no state" looks like, and clearing it is
 * {@link ProcessTableFunction.Context#clearAllState}, which takes effect when the call returns (so
 * {@link #finish} issues it only if nothing was written after the clear and no event is held).
 */
final class PtfState implements KeyState {
    private final ProcessTableFunction.Context ctx;
    private final String key;
    private final SequenceMeta sequence;
    private final MapView<Integer, Event> earlySteps;
    private boolean cleared;

    PtfState(ProcessTableFunction.Context ctx, String key, SequenceMeta sequence, MapView<Integer, Event> earlySteps) {
        this.ctx = ctx;
        this.key = key;
        this.sequence = sequence;
        this.earlySteps = earlySteps;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public SequenceMeta meta() {
        return isEmpty(sequence) ? null : sequence;
    }

    @Override
    public void update(SequenceMeta meta) {
        if (meta != sequence) {
            copy(meta, sequence);
        }
        cleared = false;
    }

    @Override
    public void clear() {
        copy(new SequenceMeta(), sequence);
        cleared = true;
    }

    @Override
    public Event early(int step) throws Exception {
        return earlySteps.get(step);
    }

    @Override
    public boolean hasEarly(int step) throws Exception {
        return earlySteps.contains(step);
    }

    @Override
    public void putEarly(int step, Event e) throws Exception {
        earlySteps.put(step, e);
    }

    @Override
    public void removeEarly(int step) throws Exception {
        earlySteps.remove(step);
    }

    @Override
    public List<Map.Entry<Integer, Event>> earlySteps() throws Exception {
        List<Map.Entry<Integer, Event>> out = new ArrayList<>();
        for (Map.Entry<Integer, Event> en : earlySteps.entries()) {
            out.add(Map.entry(en.getKey(), en.getValue()));
        }
        return out;
    }

    @Override
    public void clearEarly() {
        earlySteps.clear();
    }

    /**
     * After the core returns: a key with nothing left forgets every state entry (sequence, early steps,
     * saved arguments) in one {@link ProcessTableFunction.Context#clearAllState}. Nothing left means the
     * core cleared it (or never wrote it: a first row that was refused) and no event of the key is held
     * for event-time order: held events keep the entries, since their wakes need the saved arguments and
     * the buffer itself. The core clears only with no early step left, and the arguments are written
     * again when the key's next sequence starts.
     */
    void finish(PtfHeld held) throws Exception {
        if ((cleared || isEmpty(sequence)) && held.count() == 0) {
            ctx.clearAllState();
        }
    }

    static boolean isEmpty(SequenceMeta m) {
        return !m.active && m.buffered == 0 && m.endedAt < 0 && m.timer == SequenceMeta.NO_TIMER && m.state == null;
    }

    private static void copy(SequenceMeta from, SequenceMeta to) {
        to.active = from.active;
        to.nextStep = from.nextStep;
        to.endedAt = from.endedAt;
        to.endedByTimeout = from.endedByTimeout;
        to.decided = from.decided;
        to.buffered = from.buffered;
        to.maxTs = from.maxTs;
        to.timer = from.timer;
        to.timerEventTime = from.timerEventTime;
        to.model = from.model;
        to.state = from.state;
        to.lastOutput = from.lastOutput;
    }
}
