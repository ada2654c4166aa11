package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventParserTest {
    private final EventParser parser = new EventParser(3);

    @Test
    void parsesAFullEvent() {
        String raw = "{\"key\": \"s-17\", \"step\": 4, \"ts\": 1700000000000, \"features\": [0.1, -2, 3e-5],"
                + " \"end\": true, \"extra\": {\"x\": [1, 2]}}";
        EventParser.Result r = parser.parse(raw);
        assertTrue(r.ok(), () -> r.deadLetter().error);
        Event e = r.event();
        assertEquals("s-17", e.key);
        assertEquals(4, e.step);
        assertEquals(1700000000000L, e.ts);
        assertArrayEquals(new float[] {0.1f, -2f, 3e-5f}, e.features);
        assertTrue(e.end);
        assertEquals(raw, e.raw);
    }

    @Test
    void aRecordsBytesAreReadWithoutTextUntilADeadLetterNeedsIt() {
        byte[] plain = "{\"key\":\"k\",\"step\":2,\"features\":[0,0.5,1]}".getBytes(StandardCharsets.UTF_8);
        Event e = parser.parse(plain, null).event();
        assertNull(e.raw, "the common shape is read off the bytes");
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, e.features);
        assertEquals(new String(plain, StandardCharsets.UTF_8), e.rawText());
        e.keepRaw();
        assertNull(e.rawUtf8, "kept as text, as state keeps it");
        assertEquals(new String(plain, StandardCharsets.UTF_8), e.raw);

        byte[] unicodeKey = "{\"key\":\"ключ\",\"features\":[0,0.5,1]}".getBytes(StandardCharsets.UTF_8);
        assertEquals("ключ", parser.parse(unicodeKey, null).event().key);
        byte[] noKey = "{\"features\":[0,0.5,1]}".getBytes(StandardCharsets.UTF_8);
        assertEquals("record-key", parser.parse(noKey, "record-key").event().key);
        DeadLetter d = parser.parse(noKey, null).deadLetter();
        assertEquals("{\"features\":[0,0.5,1]}", d.raw);
        assertTrue(d.error.startsWith("missing \"key\""), d.error);
        byte[] notUtf8 = {'{', '"', 'k', 'e', 'y', '"', ':', '"', (byte) 0xff, '"', '}'};
        assertEquals(parser.parse(new String(notUtf8, StandardCharsets.UTF_8), null).deadLetter(),
                parser.parse(notUtf8, null).deadLetter());
    }

    @Test
    void optionalFieldsDefault() {
        Event e = parser.parse("{\"features\":[1,2,3],\"key\":\"k\"}").event();
        assertFalse(e.hasStep());
        assertFalse(e.hasTs());
        assertFalse(e.end);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"key\":\"k\",\"features\":[1,2|malformed JSON",
        "not json|malformed JSON",
        "[1,2,3]|not a JSON object",
        "''|empty line",
        "{\"features\":[1,2,3]}|missing \"key\"",
        "{\"key\":\"\",\"features\":[1,2,3]}|\"key\" is empty",
        "{\"key\":{},\"features\":[1,2,3]}|\"key\" must be a string",
        "{\"key\":\"k\"}|missing \"features\"",
        "{\"key\":\"k\",\"features\":3}|\"features\" must be an array",
        "{\"key\":\"k\",\"features\":[1,\"2\",3]}|feature 1 is not a number",
        "{\"key\":\"k\",\"features\":[1,null,3]}|feature 1 is not a number",
        "{\"key\":\"k\",\"features\":[1,2]}|wrong feature count: the model expects 3 features per step, the event has 2",
        "{\"key\":\"k\",\"features\":[1,2,3,4]}|wrong feature count",
        "{\"key\":\"k\",\"features\":[1,NaN,3]}|malformed JSON",
        "{\"key\":\"k\",\"features\":[1,\"NaN\",3]}|feature 1 is not a number",
        "{\"key\":\"k\",\"features\":[1,\"Infinity\",3]}|feature 1 is not a number",
        "{\"key\":\"k\",\"features\":[1,1e39,3]}|feature 1 is 1e39, beyond float32's range",
        "{\"key\":\"k\",\"features\":[1,2,3],\"step\":-1}|\"step\" must be a non-negative integer",
        "{\"key\":\"k\",\"features\":[1,2,3],\"step\":1.5}|\"step\" must be a non-negative integer",
        "{\"key\":\"k\",\"features\":[1,2,3],\"step\":1.0}|\"step\" must be a non-negative integer",
        "{\"key\":\"k\",\"features\":[1,2,3],\"step\":\"3\"}|\"step\" must be a non-negative integer",
        "{\"key\":\"k\",\"features\":[1,2,3],\"step\":99999999999}|\"step\" must be a non-negative integer",
        "{\"key\":\"k\",\"features\":[1,2,3],\"ts\":\"x\"}|\"ts\" must be epoch milliseconds",
        "{\"key\":\"k\",\"features\":[1,2,3],\"end\":1}|\"end\" must be true or false",
        "{\"key\":\"k\",\"features\":[1,2,3]} x|malformed JSON",
    })
    void badEventsBecomeDeadLetters(String raw, String why) {
        EventParser.Result r = parser.parse(raw);
        assertFalse(r.ok(), "accepted " + raw);
        assertNull(r.event());
        assertEquals(raw, r.deadLetter().raw);
        assertTrue(r.deadLetter().error.startsWith(why), () -> r.deadLetter().error);
        assertFalse(r.deadLetter().error.contains("\n"));
    }

    @Test
    void deadLetterKeepsTheKeyWhenKnown() {
        DeadLetter d = parser.parse("{\"key\":\"s-1\",\"features\":[1,2]}").deadLetter();
        assertEquals("s-1", d.key);
        assertNull(parser.parse("{\"features\":[1,2]}").deadLetter().key);
    }

    @Test
    void featuresAreTheNearestFloat32OfTheDecimalText() {
        // 0.1000000014901161193847656250000001 rounds up to float(0.1) but a double first would
        // round it to 0.10000000149011612 exactly on the tie, then down: parse the text directly.
        String[] texts = {"0.1", "16777217", "1.00000005960464477539062500001", "3.4028235e38", "1.4e-45",
            "7.0064923216240854e-46", "-0.0", "123456.789e-3"};
        for (String t : texts) {
            Event e = new EventParser(1).parse("{\"key\":\"k\",\"features\":[" + t + "]}").event();
            float expected = new BigDecimal(t).floatValue();
            assertEquals(Float.floatToRawIntBits(Float.parseFloat(t)), Float.floatToRawIntBits(e.features[0]), t);
            if (!t.startsWith("-0")) {
                assertEquals(expected, e.features[0], t);
            }
        }
    }

    @Test
    void floatsRoundTripThroughOutputJson() throws Exception {
        Random rnd = new Random(7);
        ObjectMapper json = new ObjectMapper();
        EventParser any = new EventParser(0);
        for (int i = 0; i < 2000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            OutputRecord r = new OutputRecord();
            r.key = "k";
            r.output = new float[] {f, 1e-5f, 1e30f};
            r.model = "m";
            String line = RecordJson.output(r);
            JsonNode n = json.readTree(line);
            // Valid JSON, and the number text reads back to the same float32.
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(Float.parseFloat(n.get("output").get(0).asText())));
            Event back = any.parse("{\"key\":\"k\",\"features\":" + n.get("output") + "}").event();
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(back.features[0]));
        }
    }

    @Test
    void eventJsonReadsBack() {
        Event e = new Event("a\"b", 3, 17L, new float[] {1.5f, -0f, 1e-7f}, true);
        Event back = parser.parse(RecordJson.event(e)).event();
        back.raw = null;
        assertEquals(e, back);
    }

    @Test
    void floodsAreBoundedDeadLetters() {
        EventParser p = new EventParser(3);
        // A 10 MB record: refused before parsing, and its dead letter keeps only the first KiB.
        String huge = "{\"key\":\"k\",\"features\":[" + "1,".repeat(5_000_000) + "1]}";
        EventParser.Result big = p.parse(huge);
        assertFalse(big.ok());
        assertTrue(big.deadLetter().error.startsWith("event too large: " + huge.length() + " characters"), big.deadLetter().error);
        assertTrue(big.deadLetter().raw.length() <= EventParser.RAW_KEPT_CHARS + 1);
        // Deeply nested JSON in a field the parser skips: Jackson's nesting limit, a one-line reason.
        String deep = "{\"key\":\"k\",\"features\":[1,2,3],\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        EventParser.Result nested = p.parse(deep);
        assertFalse(nested.ok());
        assertTrue(nested.deadLetter().error.startsWith("malformed JSON: Document nesting depth"),
                nested.deadLetter().error);
        // Many features where the model reads three: counted, never stored.
        String many = "{\"key\":\"k\",\"features\":[" + "0.5,".repeat(60_000) + "1]}";
        assertEquals("wrong feature count: the model expects 3 features per step, the event has 60001",
                p.parse(many).deadLetter().error);
        // A string feature holding a line break: the reason stays one line.
        String nl = p.parse("{\"key\":\"k\",\"features\":[1,\"a\\nb\",3]}").deadLetter().error;
        assertFalse(nl.contains("\n"), nl);
    }

    /**
     * The fast paths (Jackson's FastDoubleParser in, Schubfach out) agree with the JDK bit for bit: random
     * decimal texts of up to 12 significant digits read as Float.parseFloat reads them, and random float32
     * bit patterns written and read back come back whole.
     */
    @Test
    void theFastFloatPathsAreExact() {
        java.util.Random r = new java.util.Random(42);
        EventParser p = new EventParser(8);
        for (int i = 0; i < 20_000; i++) {
            String[] texts = new String[8];
            StringBuilder b = new StringBuilder("{\"key\":\"k\",\"features\":[");
            for (int j = 0; j < 8; j++) {
                long digits = Math.abs(r.nextLong()) % 1_000_000_000_000L;
                texts[j] = (r.nextBoolean() ? "-" : "") + digits + "e" + (r.nextInt(80) - 55);
                b.append(j == 0 ? "" : ",").append(texts[j]);
            }
            float[] got = p.parse(b.append("]}").toString()).event().features;
            for (int j = 0; j < 8; j++) {
                float want = Float.parseFloat(texts[j]);
                if (Float.isFinite(want)) {
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[j]), texts[j]);
                }
            }
        }
        EventParser one = new EventParser(1);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            OutputRecord o = new OutputRecord();
            o.key = "k";
            o.output = new float[] {f};
            o.model = "m";
            String line = RecordJson.output(o);
            String number = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
            Event back = one.parse("{\"key\":\"k\",\"features\":[" + number + "]}").event();
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(back.features[0]), number);
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(Float.parseFloat(number)), number);
        }
    }
}
