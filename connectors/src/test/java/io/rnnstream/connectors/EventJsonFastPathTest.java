package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rnnstream.connectors.replay.ReplayEvent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast path reads the common shape, declines the rest, and never disagrees with Jackson's path: for
 * every text, {@link EventParser#parse} gives the same event (or the same dead letter) with it and without.
 */
class EventJsonFastPathTest {
    private static final EventParser PARSER = new EventParser(3);
    private static final EventJsonFastPath FAST = new EventJsonFastPath(3);

    /** Both paths, and the fast one's own answer; returns whether the fast path took the text. */
    private static boolean same(String raw) {
        for (String recordKey : new String[] {null, "record-key"}) {
            EventParser.Result withFast = PARSER.parse(raw, recordKey, true);
            EventParser.Result jackson = PARSER.parse(raw, recordKey, false);
            assertEquals(jackson.event(), withFast.event(), raw);
            assertEquals(jackson.deadLetter(), withFast.deadLetter(), raw);
            if (jackson.ok()) {
                // Arrays.equals on floats compares bits: 0 and -0 are told apart.
                assertEquals(java.util.Arrays.toString(jackson.event().features),
                        java.util.Arrays.toString(withFast.event().features), raw);
            }
        }
        return FAST.read(raw) != null;
    }

    @Test
    void readsTheCommonShapeAsJacksonDoes() {
        List<String> taken = List.of(
                "{\"key\":\"k5\",\"step\":5,\"ts\":1764000000005,\"features\":[0.3031315,0,0.2950661],\"end\":false}",
                "{\"key\":\"k\",\"features\":[0,0,0]}",
                " {\n\t\"features\" : [ 1 , -2.5e3 , 3E-2 ] , \"key\" : \"a b\" , \"end\" : true } \r\n",
                "{\"key\":\"k\",\"step\":null,\"ts\":null,\"end\":null,\"features\":[-0,-0.0,0.0]}",
                "{\"key\":\"k\",\"ts\":-17,\"features\":[1e22,1e-22,123456789012345]}",
                "{\"key\":\"k\",\"step\":0,\"features\":[0.1,0.2,0.3],\"key\":\"last-wins\"}",
                "{\"features\":[1,2,3]}",
                "{\"key\":\"k\"}",
                "{}");
        for (String raw : taken) {
            assertNotNull(FAST.read(raw), raw);
            same(raw);
        }
    }

    @Test
    void declinesWhatItDoesNotKnowAndJacksonDecides() {
        List<String> declined = List.of(
                "{\"key\":\"k\\u0041\",\"features\":[1,2,3]}",
                "{\"key\":\"kä\",\"features\":[1,2,3]}",
                "{\"key\":\"\",\"features\":[1,2,3]}",
                "{\"key\":7,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"extra\":{},\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"features\":[1,2]}",
                "{\"key\":\"k\",\"features\":[1,2,3,4]}",
                "{\"key\":\"k\",\"features\":[1,2,01]}",
                "{\"key\":\"k\",\"features\":[1,2,.5]}",
                "{\"key\":\"k\",\"features\":[1,2,5.]}",
                "{\"key\":\"k\",\"features\":[1,2,1e39]}",
                "{\"key\":\"k\",\"features\":[1,2,1e]}",
                "{\"key\":\"k\",\"features\":[1,2,NaN]}",
                "{\"key\":\"k\",\"features\":[1,2,\"3\"]}",
                "{\"key\":\"k\",\"features\":[1,2,3,]}",
                "{\"key\":\"k\",\"features\":[1,2,3]]",
                "{\"key\":\"k\",\"features\":[1,2,3x]}",
                "{\"key\":\"k\",\"features\":[1,2,12345678901234567890]}",
                "{\"key\":\"k\",\"features\":[1,2,0." + "0".repeat(2000) + "]}",
                "{\"key\":\"k\",\"step\":-1,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"step\":1.0,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"step\":2147483648,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"ts\":1e3,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"end\":1,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"end\":truex,\"features\":[1,2,3]}",
                "{\"key\":\"k\",\"features\":[1,2,3]} x",
                "{\"key\":\"k\",\"features\":[1,2,3]",
                "{\"key\":\"k\",}",
                "{'key':\"k\"}",
                "\uFEFF{\"key\":\"k\",\"features\":[1,2,3]}",
                "[1,2,3]",
                "{\"key\":\"k\"\u000b,\"features\":[1,2,3]}");
        for (String raw : declined) {
            assertNull(FAST.read(raw), raw);
            same(raw);
        }
    }

    @Test
    void everyFloat32sShortestDecimalReadsBackToItsBits() {
        Random r = new Random(18);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            String text = new BigDecimal(Float.toString(f)).toString();
            String raw = "{\"key\":\"k\",\"features\":[" + text + ",0,1]}";
            Event e = FAST.read(raw);
            if (e != null) {
                assertEquals(Float.floatToIntBits(Float.parseFloat(text)), Float.floatToIntBits(e.features[0]), text);
            }
        }
    }

    @Test
    void decimalsOfEveryLengthRoundOnceToTheNearestFloat32() {
        Random r = new Random(42);
        int taken = 0;
        for (int i = 0; i < 300_000; i++) {
            int digits = 1 + r.nextInt(17);
            StringBuilder b = new StringBuilder(r.nextBoolean() ? "-" : "");
            b.append(1 + r.nextInt(9));
            for (int d = 1; d < digits; d++) {
                b.append(r.nextInt(10));
            }
            int point = r.nextInt(digits + 1);
            if (point < digits) {
                b.insert(b.length() - (digits - point), '.');
                if (point == 0) {
                    b.insert(b.charAt(0) == '-' ? 1 : 0, "0");
                }
            }
            if (r.nextInt(4) == 0) {
                b.append('e').append(r.nextInt(41) - 20);
            }
            String text = b.toString();
            Event e = FAST.read("{\"key\":\"k\",\"features\":[" + text + ",0,1]}");
            if (e != null) {
                taken++;
                float want = Float.parseFloat(text);
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(e.features[0]), text);
            }
        }
        // Most of them: the fast path is not declining its way to agreement.
        assertEquals(true, taken > 200_000, "taken " + taken);
    }

    @Test
    void halfwayBetweenTwoFloat32sIsJacksonsToRound() {
        // 2^24 + 1 and 2^30 + 64 lie exactly halfway between two float32s: declined, and Jackson's path
        // rounds them (to even) as the fast path would have.
        for (String half : new String[] {"16777217", "1073741888", "-16777217", "16777217.0", "1.6777217e7"}) {
            String raw = "{\"key\":\"k\",\"features\":[" + half + ",0,1]}";
            assertNull(FAST.read(raw), half);
            same(raw);
            assertEquals(Float.parseFloat(half), PARSER.parse(raw).event().features[0], half);
        }
    }

    @Test
    void theReplaysOwnEventsAllTakeTheFastPath() {
        EventParser p28 = new EventParser(28);
        EventJsonFastPath fast28 = new EventJsonFastPath(28);
        Random r = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            float[] x = new float[28];
            for (int j = 0; j < 28; j++) {
                x[j] = r.nextInt(5) == 0 ? r.nextInt(256) / 255f : 0f;
            }
            String raw = new ReplayEvent("digit-" + i, i % 28, 1_764_000_000_000L + i, x, i % 28 == 27).toJson();
            Event e = fast28.read(raw);
            assertNotNull(e, raw);
            EventParser.Result jackson = p28.parse(raw, null, false);
            e.raw = raw;
            assertEquals(jackson.event(), e, raw);
        }
    }
}
