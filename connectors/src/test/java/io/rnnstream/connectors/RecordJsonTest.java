package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordJsonTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void outputRecordFields() throws Exception {
        OutputRecord r = new OutputRecord();
        r.key = "s-17";
        r.step = 3;
        r.output = new float[] {0.25f, 0.75f, 1.0E-5f};
        r.labelIndex = 1;
        r.last = true;
        r.decision = true;
        r.model = "m@1-abc";
        assertEquals("{\"key\":\"s-17\",\"step\":3,\"output\":[0.25,0.75,1.0E-5],\"label\":1,\"final\":true,"
                + "\"decision\":true,\"model\":\"m@1-abc\"}", RecordJson.output(r));
        r.labelName = "walk";
        r.hidden = new float[] {-0.5f};
        r.reason = "idle-timeout";
        JsonNode n = json.readTree(RecordJson.output(r));
        assertEquals("walk", n.get("label").asText());
        assertEquals(-0.5, n.get("hidden").get(0).asDouble());
        assertEquals("idle-timeout", n.get("reason").asText());
    }

    /** The stream's records take the bytes' own path; a string that needs an escape or UTF-8 declines it. */
    @Test
    void plainRecordsAreWrittenStraightToBytes() throws Exception {
        OutputRecord r = new OutputRecord();
        r.key = "key-1999";
        r.step = 27;
        r.output = new float[] {0.1f, 3.4028235E38f, 1.4E-45f, -0.0f, Float.NaN};
        r.labelIndex = 7;
        r.last = true;
        r.model = "mnist-simplernn@1-da1edd33ef8e";
        byte[] b = OutputJsonFastPath.write(r);
        assertEquals("{\"key\":\"key-1999\",\"step\":27,\"output\":[0.1,3.4028235E38,1.4E-45,-0.0,\"NaN\"],"
                + "\"label\":7,\"final\":true,\"decision\":false,\"model\":\"mnist-simplernn@1-da1edd33ef8e\"}",
                new String(b, StandardCharsets.UTF_8));
        assertEquals(RecordJson.output(r), new String(b, StandardCharsets.UTF_8));
        r.step = Integer.MIN_VALUE;
        assertEquals(RecordJson.output(r), new String(OutputJsonFastPath.write(r), StandardCharsets.UTF_8));
        for (String needsJackson : new String[] {"caf\u00e9", "a\"b", "back\\slash", "tab\t", "del\u007f"}) {
            r.key = needsJackson;
            assertNull(OutputJsonFastPath.write(r), needsJackson);
            assertEquals(RecordJson.output(r), new String(RecordJson.outputUtf8(r), StandardCharsets.UTF_8));
        }
    }

    @Test
    void noLabelForARegressionHead() throws Exception {
        OutputRecord r = new OutputRecord();
        r.key = "k";
        r.output = new float[] {2.5f};
        r.model = "m";
        JsonNode n = json.readTree(RecordJson.output(r));
        assertEquals(null, n.get("label"));
        assertEquals(false, n.get("final").asBoolean());
    }

    @Test
    void nonFiniteOutputsStayValidJson() throws Exception {
        OutputRecord r = new OutputRecord();
        r.key = "k";
        r.output = new float[] {Float.NaN, Float.NEGATIVE_INFINITY};
        r.model = "m";
        JsonNode n = json.readTree(RecordJson.output(r));
        assertEquals("NaN", n.get("output").get(0).asText());
        assertEquals("-Infinity", n.get("output").get(1).asText());
    }

    @Test
    void deadLetterEscapesTheRawPayload() throws Exception {
        DeadLetter d = new DeadLetter("{\"key\":\"k\"\n", "malformed JSON: x", null);
        String line = RecordJson.deadLetter(d);
        assertEquals(-1, line.indexOf('\n'));
        JsonNode n = json.readTree(line);
        assertEquals(d.raw, n.get("raw").asText());
        assertEquals(null, n.get("key"));
        assertEquals("k", json.readTree(RecordJson.deadLetter(new DeadLetter("x", "y", "k"))).get("key").asText());
    }

    /**
     * The output is the text Jackson's own writer makes of the same fields in the same order (the field
     * names are written pre-quoted): any float, non-finite ones, keys and labels outside ASCII and outside
     * the BMP, every optional field.
     */
    @Test
    void outputIsJacksonsTextOfTheSameFields() throws Exception {
        ObjectMapper text = new ObjectMapper(JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build());
        String[] names = {"s-17", "k", "cl\u00e9", "\u6570\u5b57-3", "\ud83d\ude00 x", "tab\tquote\"back\\slash", "\u0001"};
        SplittableRandom rnd = new SplittableRandom(21);
        int fast = 0;
        for (int i = 0; i < 20_000; i++) {
            OutputRecord r = new OutputRecord();
            r.key = names[rnd.nextInt(names.length)] + i;
            r.step = rnd.nextInt(1_000_000);
            r.output = floats(rnd, 1 + rnd.nextInt(12));
            if (rnd.nextInt(3) == 0) {
                r.labelName = names[rnd.nextInt(names.length)];
            } else if (rnd.nextBoolean()) {
                r.labelIndex = rnd.nextInt(10);
            }
            r.last = rnd.nextBoolean();
            r.decision = rnd.nextBoolean();
            r.model = "m@" + rnd.nextInt(9) + "-" + names[rnd.nextInt(names.length)];
            r.hidden = rnd.nextInt(4) == 0 ? floats(rnd, 1 + rnd.nextInt(5)) : null;
            r.reason = rnd.nextInt(5) == 0 ? "idle-timeout" : null;
            ObjectNode n = text.createObjectNode();
            n.put("key", r.key);
            n.put("step", r.step);
            n.set("output", array(text, r.output));
            if (r.labelName != null) {
                n.put("label", r.labelName);
            } else if (r.labelIndex != OutputRecord.NO_LABEL) {
                n.put("label", r.labelIndex);
            }
            n.put("final", r.last);
            n.put("decision", r.decision);
            n.put("model", r.model);
            if (r.hidden != null) {
                n.set("hidden", array(text, r.hidden));
            }
            if (r.reason != null) {
                n.put("reason", r.reason);
            }
            String expected = text.writeValueAsString(n);
            assertEquals(expected, RecordJson.output(r), "record " + i);
            assertEquals(expected, new String(RecordJson.outputUtf8(r), StandardCharsets.UTF_8), "record " + i);
            if (OutputJsonFastPath.write(r) != null) {
                fast++;
            }
        }
        // Keys, labels and models from the two plain names only: about 2/7 of each string's picks.
        assertTrue(fast > 200, "only " + fast + " of 20,000 records took the bytes' own path");
    }

    private static float[] floats(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(8)) {
                case 0 -> v[i] = Float.intBitsToFloat(rnd.nextInt());
                case 1 -> v[i] = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
                        Float.MIN_VALUE, Float.MAX_VALUE}[rnd.nextInt(7)];
                default -> v[i] = (float) rnd.nextDouble();
            }
        }
        return v;
    }

    private static ArrayNode array(ObjectMapper m, float[] v) {
        ArrayNode a = m.createArrayNode();
        for (float f : v) {
            if (Float.isFinite(f)) {
                a.add(f);
            } else {
                a.add(Float.toString(f));
            }
        }
        return a;
    }
}
