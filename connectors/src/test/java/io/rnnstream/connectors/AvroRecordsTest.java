package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our Avro codec against Apache Avro itself (the schemas as shipped, its generic reader and writer): what
 * we write, Avro reads to the same values, float bits included; what Avro writes (one block or many),
 * we read; and what is not an event is a dead letter with a one-line reason.
 */
class AvroRecordsTest {
    static final Schema EVENT = schema("event.avsc");
    static final Schema OUTPUT = schema("output.avsc");

    static Schema schema(String name) {
        try (InputStream in = AvroRecords.class.getResourceAsStream("/io/rnnstream/connectors/avro/" + name)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Finite float32s from random bit patterns: every exponent and mantissa, not just "nice" decimals. */
    static float[] randomFloats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            do {
                f[i] = Float.intBitsToFloat(r.nextInt());
            } while (!Float.isFinite(f[i]));
        }
        return f;
    }

    static GenericRecord avroRead(Schema s, byte[] bytes) throws IOException {
        var dec = DecoderFactory.get().binaryDecoder(bytes, null);
        GenericRecord g = new GenericDatumReader<GenericRecord>(s).read(null, dec);
        assertTrue(dec.isEnd(), "Avro read the whole value");
        return g;
    }

    static byte[] avroWrite(GenericRecord g, boolean blocking) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The blocking encoder writes arrays in sized blocks with negative counts: the spec's other form.
        BinaryEncoder enc = blocking
                ? new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null)
                : EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(g.getSchema()).write(g, enc);
        enc.flush();
        return out.toByteArray();
    }

    static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "float " + i);
        }
    }

    static float[] floats(Object avroArray) {
        @SuppressWarnings("unchecked")
        List<Float> l = (List<Float>) avroArray;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    @Test
    void eventsWeWriteAvroReadsBitForBit() throws IOException {
        Random r = new Random(14);
        for (int i = 0; i < 2_000; i++) {
            Event e = new Event(i % 7 == 0 ? null : "k-" + i + "-ü", i % 5 == 0 ? Event.NO_STEP : i,
                    i % 3 == 0 ? Event.NO_TS : 1_700_000_000_000L + i * 977L, randomFloats(r, 28), i % 28 == 27);
            byte[] bytes = AvroRecords.event(e);
            GenericRecord g = avroRead(EVENT, bytes);
            assertEquals(e.key, g.get("key") == null ? null : g.get("key").toString());
            assertEquals(e.hasStep() ? e.step : null, g.get("step"));
            assertEquals(e.hasTs() ? e.ts : null, g.get("ts"));
            assertBits(e.features, floats(g.get("features")));
            assertEquals(e.end, g.get("end"));

            EventParser.Result back = AvroRecords.event(bytes, "record-key", 28);
            assertTrue(back.ok(), () -> back.deadLetter().error);
            assertEquals(e.key == null ? "record-key" : e.key, back.event().key);
            assertEquals(e.step, back.event().step);
            assertEquals(e.ts, back.event().ts);
            assertBits(e.features, back.event().features);
            assertEquals(e.end, back.event().end);
            assertArrayEquals(bytes, Base64.getDecoder().decode(back.event().raw), "raw keeps the record's bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void eventsAvroWritesWeRead(boolean blocking) throws IOException {
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            float[] f = randomFloats(r, 28);
            GenericRecord g = new GenericData.Record(EVENT);
            g.put("key", "seq-" + i);
            g.put("step", i % 4 == 0 ? null : i);
            g.put("ts", i % 3 == 0 ? null : (long) i << 33);
            List<Float> l = new ArrayList<>();
            for (float x : f) {
                l.add(x);
            }
            g.put("features", l);
            g.put("end", i % 2 == 0);
            EventParser.Result res = AvroRecords.event(avroWrite(g, blocking), null, 28);
            assertTrue(res.ok(), () -> res.deadLetter().error);
            Event e = res.event();
            assertEquals("seq-" + i, e.key);
            assertEquals(i % 4 == 0 ? Event.NO_STEP : i, e.step);
            assertEquals(i % 3 == 0 ? Event.NO_TS : (long) i << 33, e.ts);
            assertBits(f, e.features);
            assertEquals(i % 2 == 0, e.end);
        }
    }

    @Test
    void outputsWeWriteAvroReadsBitForBitAndSoDoWe() throws IOException {
        Random r = new Random(21);
        for (int i = 0; i < 1_000; i++) {
            OutputRecord o = new OutputRecord();
            o.key = "s-" + i;
            o.step = i;
            o.output = randomFloats(r, 10);
            o.labelIndex = i % 4 == 0 ? OutputRecord.NO_LABEL : i % 10;
            o.labelName = i % 3 == 0 ? "digit-" + (i % 10) : null;
            o.last = i % 28 == 27;
            o.decision = i % 11 == 0;
            o.model = i % 9 == 0 ? null : "mnist@1-abc";
            o.hidden = i % 2 == 0 ? randomFloats(r, 128) : null;
            o.reason = i % 13 == 0 ? "idle-timeout" : null;
            byte[] bytes = AvroRecords.output(o);
            GenericRecord g = avroRead(OUTPUT, bytes);
            assertEquals(o.key, g.get("key").toString());
            assertEquals(o.step, g.get("step"));
            assertBits(o.output, floats(g.get("output")));
            assertEquals(o.labelIndex == OutputRecord.NO_LABEL ? null : o.labelIndex, g.get("label_index"));
            assertEquals(o.labelName, g.get("label") == null ? null : g.get("label").toString());
            assertEquals(o.last, g.get("final"));
            assertEquals(o.decision, g.get("decision"));
            assertEquals(o.model, g.get("model") == null ? null : g.get("model").toString());
            if (o.hidden == null) {
                assertNull(g.get("hidden"));
            } else {
                assertBits(o.hidden, floats(g.get("hidden")));
            }
            assertEquals(o.reason, g.get("reason") == null ? null : g.get("reason").toString());
            assertEquals(o, AvroRecords.readOutput(bytes));
        }
    }

    @Test
    void badRecordsAreDeadLettersWithOneLineReasons() {
        Event good = new Event("k", 3, 1000L, new float[] {1f, 2f, 3f}, false);
        byte[] ok = AvroRecords.event(good);
        byte[] twoFeatures = AvroRecords.event(new Event("k", 3, 1000L, new float[] {1f, 2f}, false));
        byte[] nan = AvroRecords.event(new Event("k", 3, 1000L, new float[] {1f, Float.NaN, 3f}, false));
        byte[] negativeStep = AvroRecords.event(new Event("k", -5, 1000L, new float[] {1f, 2f, 3f}, false));
        byte[] noKey = AvroRecords.event(new Event(null, 3, 1000L, new float[] {1f, 2f, 3f}, false));
        byte[] emptyKey = AvroRecords.event(new Event("", 3, 1000L, new float[] {1f, 2f, 3f}, false));
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 2);
        byte[] hugeArray = {2, 2, 'k', 0, 0, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0};
        byte[] badUnion = {6, 2, 'k'};
        byte[] badBool = java.util.Arrays.copyOf(ok, ok.length);
        badBool[badBool.length - 1] = 7;
        byte[] longVarint = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
        byte[] json = "{\"key\":\"k\",\"features\":[1,2,3]}".getBytes(StandardCharsets.UTF_8);
        Object[][] cases = {
            {new byte[0], "empty record: expected an Avro event"},
            {java.util.Arrays.copyOf(ok, ok.length - 1), "malformed Avro event: it ends inside \"end\""},
            {java.util.Arrays.copyOf(ok, ok.length - 4), "\"features\" announces 3 floats, 10 bytes are left"},
            {trailing, "2 bytes after the Avro event"},
            {hugeArray, "malformed Avro event: \"features\" announces 2147483647 floats, 1 bytes are left"},
            {badUnion, "malformed Avro event: union branch 3 for \"key\""},
            {badBool, "\"end\" is byte 7, not a boolean"},
            {longVarint, "runs past 10 bytes"},
            {json, "it looks like JSON, and this job reads Avro (--format)"},
            {twoFeatures, "wrong feature count: the model expects 3 features per step, the event has 2"},
            {nan, "feature 1 is NaN"},
            {negativeStep, "\"step\" must be a non-negative integer below 2^31, not -5"},
            {noKey, "missing \"key\""},
            {emptyKey, "\"key\" is empty"},
            {new byte[AvroRecords.MAX_EVENT_BYTES + 1], "event too large"},
        };
        for (Object[] c : cases) {
            byte[] bytes = (byte[]) c[0];
            EventParser.Result r = AvroRecords.event(bytes, null, 3);
            assertFalse(r.ok(), (String) c[1]);
            String why = r.deadLetter().error;
            assertTrue(why.contains((String) c[1]), why + " should say " + c[1]);
            assertFalse(why.contains("\n") || why.contains("\r"), why);
            if (bytes.length <= AvroRecords.MAX_EVENT_BYTES) {
                assertArrayEquals(bytes, Base64.getDecoder().decode(r.deadLetter().raw), "the dead letter keeps the bytes");
            }
        }
        assertTrue(AvroRecords.event(noKey, "from-record", 3).ok(), "the record key stands in for a null key");
        assertThrows(IllegalArgumentException.class, () -> AvroRecords.readOutput(new byte[] {1}));
    }

    @Test
    void theReplayToolWritesWhatTheJobReads() {
        float[] f = {0.5f, 0f, 1e-7f};
        var r = new io.rnnstream.connectors.replay.ReplayEvent("seq-3", 2, 1_700_000_000_123L, f, true);
        Event e = AvroRecords.event(r.toAvro(), null, 3).event();
        assertEquals(new Event("seq-3", 2, 1_700_000_000_123L, f, true), withoutRaw(e));
    }

    private static Event withoutRaw(Event e) {
        e.raw = null;
        return e;
    }

    @Test
    void aBinaryDeadLetterIsJsonWithItsBytesInBase64() throws IOException {
        byte[] bytes = {2, 2, 'k', 0, 0, 0, 9};
        EventParser.Result r = AvroRecords.event(bytes, null, 3);
        JsonNode j = new ObjectMapper().readTree(RecordJson.deadLetter(r.deadLetter(), true));
        assertArrayEquals(bytes, Base64.getDecoder().decode(j.get("raw_base64").asText()));
        assertEquals("k", j.get("key").asText());
        assertNull(j.get("raw"));
    }

    @Test
    void theDocsQuoteTheSchemasAsShipped() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "KAFKA.md"));
        for (String name : new String[] {"event.avsc", "output.avsc"}) {
            try (InputStream in = AvroRecords.class.getResourceAsStream("/io/rnnstream/connectors/avro/" + name)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                assertTrue(docs.contains(text), "docs/KAFKA.md quotes " + name + " as shipped");
            }
        }
    }
}
