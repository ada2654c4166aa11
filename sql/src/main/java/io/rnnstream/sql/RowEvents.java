package io.rnnstream.sql;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import java.util.List;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
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

    /**
     * Where the columns this reads sit in the input's rows, found once per function instance (its input
     * table's type is fixed by the call): a lookup by name on every row cost about 4 % of the SQL path.
     */
    record Columns(int[] key, int features, int step, int end) {
        static Columns of(ProcessTableFunction.Context ctx) {
            TableSemantics input = ctx.tableSemanticsFor("input");
            List<String> names = DataType.getFieldNames(input.dataType());
            return new Columns(input.partitionByColumns(), names.indexOf(FEATURES), names.indexOf(STEP),
                    names.indexOf(END));
        }
    }

    static Parsed parse(ProcessTableFunction.Context ctx, Columns cols, Row input) {
        Event e = new Event();
        e.key = key(cols.key(), input);
        Long ts = ctx.timeContext(Long.class).time();
        if (ts != null) {
            e.ts = ts;
        }
        String error = null;
        if (cols.features() < 0) {
            error = "the input table has no column 'features' (ARRAY<FLOAT>)";
        } else {
            Object f = input.getField(cols.features());
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
        if (cols.step() >= 0 && input.getField(cols.step()) != null) {
            Object s = input.getField(cols.step());
            long step = s instanceof Number n ? n.longValue() : Long.MIN_VALUE;
            if (step < 0 || step > Integer.MAX_VALUE) {
                error = "\"step\" must be a non-negative integer, not " + s;
            } else {
                e.step = (int) step;
            }
        }
        if (cols.end() >= 0) {
            e.end = Boolean.TRUE.equals(input.getField(cols.end()));
        }
        return error == null ? new Parsed(e, null, null, e.key) : new Parsed(null, error, RecordJson.event(e), e.key);
    }

    /** The PARTITION BY values, one key string (joined by '/' when there are several columns). */
    private static String key(int[] cols, Row input) {
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
