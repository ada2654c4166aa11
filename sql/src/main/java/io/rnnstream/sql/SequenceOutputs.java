package io.rnnstream.sql;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * The OUTPUT columns a 'rnnstream' model may declare, matched by name so that users pick what they
 * need in any order: {@code output ARRAY<FLOAT>} (the head's K floats), {@code label STRING} (the class
 * name, or its index when the model names none), {@code label_index INT}, {@code error STRING} (why
 * the row could not be predicted; null when it was). Without an {@code error} column a bad row still
 * yields a row, its columns null, and is counted.
 */
final class SequenceOutputs implements Serializable {
    private static final long serialVersionUID = 1L;

    enum Kind {
        OUTPUT(LogicalTypeRoot.ARRAY, "ARRAY<FLOAT>"),
        LABEL(LogicalTypeRoot.VARCHAR, "STRING"),
        LABEL_INDEX(LogicalTypeRoot.INTEGER, "INT"),
        ERROR(LogicalTypeRoot.VARCHAR, "STRING");

        final LogicalTypeRoot root;
        final String sql;

        Kind(LogicalTypeRoot root, String sql) {
            this.root = root;
            this.sql = sql;
        }

        String column() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean accepts(LogicalType t) {
            if (t.getTypeRoot() != root) {
                return false;
            }
            return root != LogicalTypeRoot.ARRAY
                    || ((ArrayType) t).getElementType().getTypeRoot() == LogicalTypeRoot.FLOAT;
        }
    }

    private final Kind[] kinds;

    private SequenceOutputs(Kind[] kinds) {
        this.kinds = kinds;
    }

    static SequenceOutputs of(List<Column> columns) {
        List<Kind> kinds = new ArrayList<>();
        for (Column c : columns) {
            Kind k = null;
            for (Kind candidate : Kind.values()) {
                if (candidate.column().equalsIgnoreCase(c.getName())) {
                    k = candidate;
                }
            }
            if (k == null) {
                throw new ValidationException("a 'rnnstream' model has no output column '" + c.getName()
                        + "': declare any of output ARRAY<FLOAT>, label STRING, label_index INT, error STRING");
            }
            if (!k.accepts(c.getDataType().getLogicalType())) {
                throw new ValidationException("output column '" + c.getName() + "' must be " + k.sql + ", not "
                        + c.getDataType());
            }
            kinds.add(k);
        }
        if (kinds.isEmpty()) {
            throw new ValidationException("a 'rnnstream' model needs at least one output column");
        }
        return new SequenceOutputs(kinds.toArray(new Kind[0]));
    }

    /** A predicted row: {@code labelName} may be null (the model names no classes). */
    RowData row(float[] output, int labelIndex, String labelName) {
        GenericRowData r = new GenericRowData(kinds.length);
        for (int i = 0; i < kinds.length; i++) {
            r.setField(i, switch (kinds[i]) {
                case OUTPUT -> new GenericArrayData(output);
                case LABEL -> labelIndex < 0 ? null
                        : StringData.fromString(labelName != null ? labelName : Integer.toString(labelIndex));
                case LABEL_INDEX -> labelIndex < 0 ? null : labelIndex;
                case ERROR -> null;
            });
        }
        return r;
    }

    /** A row that could not be predicted: only the error column (if declared) is set. */
    RowData error(String why) {
        GenericRowData r = new GenericRowData(kinds.length);
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == Kind.ERROR) {
                r.setField(i, StringData.fromString(why));
            }
        }
        return r;
    }
}
