package io.rnnstream.job.step;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.swap.ServedModels;
import io.rnnstream.model.Model;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@link SequenceCore} with plain-Java state, clocks and outputs: what a Flink operator or a SQL
 * function gives it, in maps and lists, so each rule of docs/STREAMING.md is a test of a few lines.
 * Timers fire the way Flink fires them: event-time ones when the watermark reaches them, processing-time
 * ones when the clock does, in time order, each for its own key.
 */
public final class CoreHarness implements Emitter {
    public final SequenceCore core;
    public final List<OutputRecord> outputs = new ArrayList<>();
    public final List<DeadLetter> deadLetters = new ArrayList<>();
    private final Map<String, SequenceMeta> metas = new HashMap<>();
    private final Map<String, Map<Integer, Event>> early = new HashMap<>();
    /** Registered timers as "time key" per domain. */
    private final TreeSet<Timer> eventTimers = new TreeSet<>();
    private final TreeSet<Timer> processingTimers = new TreeSet<>();
    private long watermark = Long.MIN_VALUE;
    private long now;

    private record Timer(long time, String key) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    public CoreHarness(Model model, String modelId, StreamOptions opts) {
        this(new ServedModels(model, modelId, opts), opts);
    }

    public CoreHarness(ServedModels models, StreamOptions opts) {
        this.core = new SequenceCore(models, opts);
    }

    public CoreHarness event(Event e) throws Exception {
        core.onEvent(e, state(e.key), timers(e.key), this);
        return this;
    }

    /** Moves the watermark and fires the event-time timers it passes. */
    public CoreHarness watermark(long w) throws Exception {
        watermark = w;
        fire(eventTimers, w);
        return this;
    }

    /** Moves the wall clock and fires the processing-time timers it passes. */
    public CoreHarness clock(long t) throws Exception {
        now = t;
        fire(processingTimers, t);
        return this;
    }

    /** The bounded input ended: every key with state, in key order, as the operator does. */
    public CoreHarness endOfInput() throws Exception {
        for (String k : new TreeSet<>(metas.keySet())) {
            core.onEndOfInput(state(k), this);
        }
        return this;
    }

    private void fire(TreeSet<Timer> timers, long upTo) throws Exception {
        while (!timers.isEmpty() && timers.first().time <= upTo) {
            Timer t = timers.pollFirst();
            core.onTimer(t.time, state(t.key), timers(t.key), this);
        }
    }

    /** The outputs of one key, in order. */
    public List<OutputRecord> outputs(String key) {
        return outputs.stream().filter(r -> r.key.equals(key)).toList();
    }

    public List<String> deadReasons() {
        return deadLetters.stream().map(d -> d.error).toList();
    }

    /** Keys with any state left (bookkeeping or buffered steps). */
    public int keysInState() {
        TreeSet<String> keys = new TreeSet<>(metas.keySet());
        early.forEach((k, m) -> {
            if (!m.isEmpty()) {
                keys.add(k);
            }
        });
        return keys.size();
    }

    public int timers() {
        return eventTimers.size() + processingTimers.size();
    }

    /** Drops a key's whole state, as a TTL expiry does. */
    public void expire(String key) {
        metas.remove(key);
        early.remove(key);
    }

    @Override
    public void output(OutputRecord r) {
        outputs.add(r);
    }

    @Override
    public void deadLetter(DeadLetter d) {
        deadLetters.add(d);
    }

    private KeyState state(String key) {
        return new KeyState() {
            @Override
            public String key() {
                return key;
            }

            @Override
            public SequenceMeta meta() {
                return metas.get(key);
            }

            @Override
            public void update(SequenceMeta meta) {
                metas.put(key, meta);
            }

            @Override
            public void clear() {
                metas.remove(key);
            }

            @Override
            public Event early(int step) {
                return early.getOrDefault(key, Map.of()).get(step);
            }

            @Override
            public boolean hasEarly(int step) {
                return early(step) != null;
            }

            @Override
            public void putEarly(int step, Event e) {
                early.computeIfAbsent(key, k -> new HashMap<>()).put(step, e);
            }

            @Override
            public void removeEarly(int step) {
                early.getOrDefault(key, new HashMap<>()).remove(step);
            }

            @Override
            public List<Map.Entry<Integer, Event>> earlySteps() {
                return new ArrayList<>(early.getOrDefault(key, Map.of()).entrySet());
            }

            @Override
            public void clearEarly() {
                early.remove(key);
            }
        };
    }

    private Timers timers(String key) {
        return new Timers() {
            @Override
            public long currentProcessingTime() {
                return now;
            }

            @Override
            public long currentWatermark() {
                return watermark;
            }

            @Override
            public void register(boolean eventTime, long time) {
                (eventTime ? eventTimers : processingTimers).add(new Timer(time, key));
            }

            @Override
            public void delete(boolean eventTime, long time) {
                (eventTime ? eventTimers : processingTimers).remove(new Timer(time, key));
            }
        };
    }
}
