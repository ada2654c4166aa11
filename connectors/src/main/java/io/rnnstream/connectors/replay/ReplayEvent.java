package io.rnnstream.connectors.replay;

/**
 * One input event as the replay writes it: one timestep of one key's sequence.
 *
 * <p>{@link #toJson()} writes the event schema the job reads:
 * {@code {"key": "…", "step": 0, "ts": 1700000000000, "features": [...], "end": false}}.
 */
public record ReplayEvent(String key, int step, long ts, float[] features, boolean end) {

    /** The same event as one Avro datum of the event schema (docs/KAFKA.md, {@code --format avro}). */
    public byte[] toAvro() {
        return io.rnnstream.connectors.AvroRecords.event(new io.rnnstream.connectors.Event(key, step, ts, features, end));
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder(32 + features.length * 12);
        sb.append("{\"key\":");
        appendJsonString(sb, key);
        sb.append(",\"step\":").append(step).append(",\"ts\":").append(ts).append(",\"features\":[");
        for (int i = 0; i < features.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendFloat(sb, features[i]);
        }
        sb.append("],\"end\":").append(end).append('}');
        return sb.toString();
    }

    /** The shortest text that reads back to the same float32; whole numbers without ".0". */
    static void appendFloat(StringBuilder sb, float f) {
        if (f == (int) f && !(f == 0 && 1 / f < 0)) {
            sb.append((int) f);
        } else {
            sb.append(Float.toString(f));
        }
    }

    static void appendJsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
