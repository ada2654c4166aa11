package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A payload reads as what it is in logs: text as text, JSON written as bytes as text, Avro as base64. */
class KeyedPayloadTest {
    @Test
    void eachKindReadsAsWhatItIs() {
        OutputRecord o = new OutputRecord();
        o.key = "k-1";
        o.output = new float[] {0.5f};
        o.labelIndex = 0;
        o.model = "m@1";
        String json = RecordJson.output(o);
        assertEquals("k-1 → " + json, new KeyedPayload("k-1", json).toString());
        KeyedPayload bytes = KeyedPayload.binary("k-1", RecordJson.outputUtf8(o));
        assertEquals("k-1 → " + json, bytes.toString());
        assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), bytes.bytes());
        byte[] avro = AvroRecords.output(o);
        assertEquals("k-1 → " + Base64.getEncoder().encodeToString(avro), KeyedPayload.binary("k-1", avro).toString());
    }

    /** Why a leading '{' tells JSON from Avro: an Avro output starts with its key's length, never -62. */
    @Test
    void noAvroOutputStartsAsJsonDoes() {
        SplittableRandom rnd = new SplittableRandom(26);
        for (int i = 0; i < 2_000; i++) {
            OutputRecord o = new OutputRecord();
            o.key = "k".repeat(rnd.nextInt(200));
            o.output = new float[] {rnd.nextInt()};
            o.model = "m";
            assertNotEquals('{', AvroRecords.output(o)[0], o.key);
        }
    }
}
