package io.rnnstream.sql;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import java.util.Set;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * An input row as the job's {@link Event}: the PARTITION BY columns are the key, {@code features}
 * (ARRAY&lt;FLOAT&gt;) the step's input, the optional {@code step} (INT/BIGINT) and {@code end}
 * (BOOLEAN) columns what the event JSON's fields of those names are, and {@code on_time}'s column
 * the event time. What the core checks itself (feature count, finiteness, negative steps) is left
 * to it, so that both paths word their errors alike.
 */
final class RowEvents {
    static final String FEATURES = "features";
    static final String STEP = "step";
    static final String END = "end";

    /** Either an event or why the row is not one (with the row as JSON for the dead letter). */
    record Parsed(Event event, String error, String raw, String key) {}

    private RowEvents() {}

    static Parsed parse(ProcessTableFunction.Context ctx, Row input) {
        Set<String> names = input.getFieldNames(true);
        Event e = new Event();
        e.key = key(ctx, input);
        Long ts = ctx.timeContext(Long.class).time();
        if (ts != null) {
            e.ts = ts;
        }
        String error = null;
        if (names == null || !names.contains(FEATURES)) {
            error = "the input table has no column 'features' (ARRAY<FLOAT>)";
        } else {
            Object f = input.getField(FEATURES);
            if (f instanceof Float[] boxed) {
                e.features = new float[boxed.length];
                for (int i = 0; i < boxed.length && error == null; i++) {
                    if (boxed[i] == null) {
                        error = "feature " + i + " is null";
                    } else {
                        e.features[i] = boxed[i];
                    }
                }
            } else if (f instanceof float[] v) {
                e.features = v;
            } else if (f != null) {
                error = "column 'features' must be ARRAY<FLOAT>, not " + f.getClass().getSimpleName();
            }
        }
        if (names != null && names.contains(STEP) && input.getField(STEP) != null) {
            Object s = input.getField(STEP);
            long step = s instanceof Number n ? n.longValue() : Long.MIN_VALUE;
            if (step < 0 || step > Integer.MAX_VALUE) {
                error = "\"step\" must be a non-negative integer, not " + s;
            } else {
                e.step = (int) step;
            }
        }
        if (names != null && names.contains(END)) {
            e.end = Boolean.TRUE.equals(input.getField(END));
        }
        return error == null ? new Parsed(e, null, null, e.key) : new Parsed(null, error, RecordJson.event(e), e.key);
    }

    /** The PARTITION BY values, one key string (joined by '/' when there are several columns). */
    private static String key(ProcessTableFunction.Context ctx, Row input) {
        int[] cols = ctx.tableSemanticsFor("input").partitionByColumns();
        if (cols.length == 1) {
            return String.valueOf(input.getField(cols[0]));
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cols.length; i++) {
            if (i > 0) {
                b.append('/');
            }
            b.append(input.getField(cols[i]));
        }
        return b.toString();
    }
}
