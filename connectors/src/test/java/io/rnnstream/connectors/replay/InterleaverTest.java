package io.rnnstream.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InterleaverTest {

    private static List<Interleaver.Sequence> sequences(int n, int t) {
        List<Interleaver.Sequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[][] steps = new float[t + i % 3][2];
            for (int s = 0; s < steps.length; s++) {
                steps[s][0] = i;
                steps[s][1] = s;
            }
            out.add(new Interleaver.Sequence("k-" + i, steps));
        }
        return out;
    }

    @Test
    void everyStepOnceInOrderPerKeyAndInterleaved() {
        List<Interleaver.Sequence> seqs = sequences(50, 5);
        Interleaver it = new Interleaver(seqs.iterator(), 8, 42, 1_700_000_000_000L, 1);
        Map<String, Integer> next = new HashMap<>();
        Set<String> liveAtOnce = new HashSet<>();
        int events = 0;
        int maxLive = 0;
        long lastTs = Long.MIN_VALUE;
        while (it.hasNext()) {
            ReplayEvent e = it.next();
            int expected = next.getOrDefault(e.key(), 0);
            assertEquals(expected, e.step(), "steps of " + e.key() + " in order");
            assertTrue(e.ts() > lastTs, "ts increases");
            lastTs = e.ts();
            next.put(e.key(), expected + 1);
            liveAtOnce.add(e.key());
            maxLive = Math.max(maxLive, liveAtOnce.size());
            if (e.end()) {
                liveAtOnce.remove(e.key());
            }
            events++;
        }
        int total = seqs.stream().mapToInt(s -> s.steps().length).sum();
        assertEquals(total, events);
        assertEquals(8, maxLive, "eight sequences in flight at once");
        for (Interleaver.Sequence s : seqs) {
            assertEquals(s.steps().length, next.get(s.key()));
        }
    }

    @Test
    void sameSeedSameOrder() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        new Interleaver(sequences(20, 4).iterator(), 5, 7, 0, 1).forEachRemaining(e -> a.add(e.toJson()));
        new Interleaver(sequences(20, 4).iterator(), 5, 7, 0, 1).forEachRemaining(e -> b.add(e.toJson()));
        assertEquals(a, b);
    }

    @Test
    void jsonIsTheEventSchemaAndFloatsRoundTrip() {
        float[] f = {0f, 1f, 0.1f, -2.5e-7f, 3.4028235e38f, -0f};
        String json = new ReplayEvent("s\"1", 3, 17, f, true).toJson();
        assertEquals("{\"key\":\"s\\\"1\",\"step\":3,\"ts\":17,\"features\":[0,1,0.1,-2.5E-7,3.4028235E38,-0.0],"
                + "\"end\":true}", json);
        assertEquals(0.1f, Float.parseFloat("0.1"));
    }
}
