package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parsers' refusals, JSON and Avro, land in the reason a dashboard shows, never in a catch-all. */
class DeadLetterReasonTest {
    private static final EventParser PARSER = new EventParser(3);

    @Test
    void everyJsonRefusalHasItsKind() {
        Map<String, DeadLetterReason> cases = new LinkedHashMap<>();
        cases.put("", DeadLetterReason.EMPTY);
        cases.put("{\"key\":\"a\",\"features\":[" + "1,".repeat(EventParser.MAX_EVENT_CHARS) + "1]}",
                DeadLetterReason.TOO_LARGE);
        cases.put("{not json", DeadLetterReason.MALFORMED);
        cases.put("[1,2,3]", DeadLetterReason.MALFORMED);
        cases.put("{\"key\":\"a\",\"features\":[1,2,3]} {}", DeadLetterReason.MALFORMED);
        cases.put("{\"features\":[1,2,3]}", DeadLetterReason.MISSING_KEY);
        cases.put("{\"key\":\"\",\"features\":[1,2,3]}", DeadLetterReason.MISSING_KEY);
        cases.put("{\"key\":[1],\"features\":[1,2,3]}", DeadLetterReason.MISSING_KEY);
        cases.put("{\"key\":\"a\",\"step\":-1,\"features\":[1,2,3]}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\",\"step\":\"x\",\"features\":[1,2,3]}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\",\"ts\":1.5,\"features\":[1,2,3]}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\",\"end\":1,\"features\":[1,2,3]}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\",\"features\":\"x\"}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\"}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\",\"features\":[1,\"x\",3]}", DeadLetterReason.BAD_FIELD);
        cases.put("{\"key\":\"a\",\"features\":[1,2]}", DeadLetterReason.WRONG_FEATURE_COUNT);
        cases.put("{\"key\":\"a\",\"features\":[1,2,3,4]}", DeadLetterReason.WRONG_FEATURE_COUNT);
        cases.put("{\"key\":\"a\",\"features\":[1e39,2,3]}", DeadLetterReason.NON_FINITE);
        Set<DeadLetterReason> seen = new HashSet<>();
        for (var c : cases.entrySet()) {
            EventParser.Result r = PARSER.parse(c.getKey());
            assertFalse(r.ok(), c.getKey());
            String why = r.deadLetter().error;
            assertEquals(c.getValue(), DeadLetterReason.ofParseError(why), why);
            seen.add(c.getValue());
        }
        assertEquals(new HashSet<>(DeadLetterReason.PARSE), seen, "every parse kind is reachable");
    }

    @Test
    void avroRefusalsAndTheStepChecksHaveTheirKinds() {
        assertEquals(DeadLetterReason.EMPTY, avro(new byte[0]));
        assertEquals(DeadLetterReason.TOO_LARGE, avro(new byte[AvroRecords.MAX_EVENT_BYTES + 1]));
        Event e = new Event();
        e.key = "a";
        e.features = new float[] {1, 2};
        assertEquals(DeadLetterReason.WRONG_FEATURE_COUNT, avro(AvroRecords.event(e)));
        e.features = new float[] {1, Float.NaN, 3};
        assertEquals(DeadLetterReason.NON_FINITE, avro(AvroRecords.event(e)));
        e.features = new float[] {1, 2, 3};
        byte[] ok = AvroRecords.event(e);
        assertTrue(AvroRecords.event(ok, null, 3).ok());
        assertEquals(DeadLetterReason.MALFORMED, avro(Arrays.copyOf(ok, ok.length - 2)));
        assertEquals(DeadLetterReason.MALFORMED, avro(Arrays.copyOf(ok, ok.length + 3)));

        // The step stage's own check of events built in code.
        e.features = new float[] {1, Float.POSITIVE_INFINITY, 3};
        assertEquals(DeadLetterReason.NON_FINITE, DeadLetterReason.ofParseError(EventParser.whyNotSteppable(e, 3)));
        e.features = new float[] {1};
        assertEquals(DeadLetterReason.WRONG_FEATURE_COUNT,
                DeadLetterReason.ofParseError(EventParser.whyNotSteppable(e, 3)));
        e.features = null;
        assertEquals(DeadLetterReason.BAD_FIELD, DeadLetterReason.ofParseError(EventParser.whyNotSteppable(e, 3)));
    }

    @Test
    void labelsAreDistinctPrometheusLabelValues() {
        Set<String> labels = new HashSet<>();
        for (DeadLetterReason r : DeadLetterReason.values()) {
            assertTrue(r.label().matches("[a-z][a-z_]*"), r.label());
            assertTrue(labels.add(r.label()), r.label());
        }
    }

    private static DeadLetterReason avro(byte[] value) {
        EventParser.Result r = AvroRecords.event(value, "k", 3);
        assertFalse(r.ok());
        return DeadLetterReason.ofParseError(r.deadLetter().error);
    }
}
