package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
}
