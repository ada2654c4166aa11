package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * The event parser against any text: an event with a key and the model's feature count, or a dead
 * letter whose reason is one line, never an exception. The seed corpus
 * ({@code EventParserFuzzTestInputs/}) runs in every build; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class EventParserFuzzTest {
    private static final EventParser PARSER = new EventParser(3);

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"\"key\"", "\"features\"", "\"step\"", "\"ts\"", "\"end\"", "true", "null", "1e39", "-0.0",
        "2147483648", "9223372036854775808", "\"NaN\"", "[[[[", "\\u0000", "\\n"})
    void anyTextIsAnEventOrADeadLetterWithAReason(byte[] bytes) {
        String raw = new String(bytes, StandardCharsets.UTF_8);
        EventParser.Result r = PARSER.parse(raw, bytes.length % 2 == 0 ? null : "record-key");
        if (r.ok()) {
            Event e = r.event();
            assertNotNull(e.key);
            assertFalse(e.key.isEmpty());
            assertEquals(3, e.features.length);
            for (float f : e.features) {
                assertFalse(Float.isNaN(f) || Float.isInfinite(f), "features are finite");
            }
        } else {
            String why = r.deadLetter().error;
            assertNotNull(why);
            assertFalse(why.isBlank() || why.contains("\n") || why.contains("\r"),
                    "a dead letter's reason is one line: " + why);
        }
    }

    /**
     * The fast path for the common shape against Jackson's path on any text, and on the text's bytes: the
     * same event, or the same dead letter ({@link EventJsonFastPath} declines what it is not sure of).
     */
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"{\"key\":\"k\",\"features\":[", "\"step\":", "\"ts\":", "\"end\":", "true", "null",
        "1e22", "-0", "0.", "e-", "16777217", "]}"})
    void theFastPathAndJacksonAgree(byte[] bytes) {
        String raw = new String(bytes, StandardCharsets.UTF_8);
        String recordKey = bytes.length % 2 == 0 ? null : "record-key";
        EventParser.Result fast = PARSER.parse(raw, recordKey, true);
        EventParser.Result jackson = PARSER.parse(raw, recordKey, false);
        assertEquals(jackson.event(), fast.event(), raw);
        assertEquals(jackson.deadLetter(), fast.deadLetter(), raw);
        // The Kafka source's way: the value's bytes as they came (invalid UTF-8 included), text made only if needed.
        EventParser.Result fromBytes = PARSER.parse(bytes, recordKey);
        assertEquals(jackson.event(), fromBytes.event(), raw);
        assertEquals(jackson.deadLetter(), fromBytes.deadLetter(), raw);
    }

    private static final AvroCheck AVRO = new AvroCheck();

    /** The Avro decoder against any bytes: the same promise as the JSON parser's. */
    @FuzzTest(maxDuration = "30s")
    void anyBytesAreAnAvroEventOrADeadLetterWithAReason(byte[] bytes) {
        AVRO.check(AvroRecords.event(bytes, bytes.length % 2 == 0 ? null : "record-key", 3));
    }

    static final class AvroCheck {
        void check(EventParser.Result r) {
            if (r.ok()) {
                Event e = r.event();
                assertNotNull(e.key);
                assertFalse(e.key.isEmpty());
                assertEquals(3, e.features.length);
                for (float f : e.features) {
                    assertFalse(Float.isNaN(f) || Float.isInfinite(f), "features are finite");
                }
            } else {
                String why = r.deadLetter().error;
                assertNotNull(why);
                assertFalse(why.isBlank() || why.contains("\n") || why.contains("\r"),
                        "a dead letter's reason is one line: " + why);
            }
        }
    }
}
