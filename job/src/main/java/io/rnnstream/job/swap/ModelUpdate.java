package io.rnnstream.job.swap;

import io.rnnstream.connectors.Event;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One model update as it travels to every parallel instance of the step operator (broadcast): the
 * payload of one record of the model topic, and the time from which it applies.
 *
 * <p>The payload is either a native model file's bytes (it starts with {@link ModelFile#MAGIC}) or a
 * UTF-8 JSON reference {@code {"path": "/models/har-3.rnns", "effective_ts": 1700000000000,
 * "sha256": "3f9c…"}} to a file every task manager can read (any format {@code ModelLoader} reads).
 * It is decoded where it is applied, so a broken payload becomes a refusal on the status output,
 * never a failed job. A Flink POJO: Flink's own serializers, no Kryo.
 */
public class ModelUpdate {
    /** The Kafka record header that carries the effective time of a model-bytes update (decimal ms). */
    public static final String EFFECTIVE_TS_HEADER = "rnnstream-effective-ts";

    /** Native model file bytes, or a UTF-8 JSON reference. */
    public byte[] payload;
    /**
     * Epoch milliseconds: a sequence whose first event's {@code ts} is at or after it starts on this
     * model; {@link Event#NO_TS}: every sequence that starts from now on. A JSON reference's own
     * {@code effective_ts} overrides it.
     */
    public long effectiveTs = Event.NO_TS;
    /** Where the update came from, for the status record (e.g. {@code models-0@17}). */
    public String origin;

    public ModelUpdate() {}

    public ModelUpdate(byte[] payload, long effectiveTs, String origin) {
        this.payload = payload;
        this.effectiveTs = effectiveTs;
        this.origin = origin;
    }

    /** An update carrying the model itself. */
    public static ModelUpdate of(Model model, long effectiveTs) {
        return new ModelUpdate(ModelFile.encode(model), effectiveTs, model.info().name());
    }

    /** An update referring to a model file by path (the path must be readable by every task manager). */
    public static ModelUpdate reference(Path path, long effectiveTs) {
        return new ModelUpdate(referenceJson(path, effectiveTs, null).getBytes(StandardCharsets.UTF_8), Event.NO_TS,
                path.toString());
    }

    /** The JSON reference payload; {@code sha256} (hex prefix, or null) is checked against the file read. */
    public static String referenceJson(Path path, long effectiveTs, String sha256) {
        StringBuilder b = new StringBuilder("{\"path\":");
        b.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(path.toAbsolutePath().toString()).toString());
        if (effectiveTs != Event.NO_TS) {
            b.append(",\"effective_ts\":").append(effectiveTs);
        }
        if (sha256 != null) {
            b.append(",\"sha256\":\"").append(sha256).append('"');
        }
        return b.append('}').toString();
    }
}
