package io.rnnstream.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScoreboardTest {
    @Test
    void scoresFinalsStepsConfusionAndLatency() {
        Scoreboard s = new Scoreboard(List.of("a", "b"), 2, 3);
        s.expect("k1", 0);
        s.expect("k2", 1);
        s.accept("{\"key\":\"k1\",\"step\":0,\"output\":[0.4,0.6],\"label\":\"b\",\"final\":false}", 3, 10);
        s.accept("{\"key\":\"k1\",\"step\":1,\"output\":[0.9,0.1],\"label\":\"a\",\"final\":true}", 5, 20);
        s.accept("{\"key\":\"k2\",\"step\":0,\"output\":[0.9,0.1],\"label\":0,\"final\":false}", 1, 30);
        s.accept("{\"key\":\"k2\",\"step\":1,\"output\":[0.9,0.1],\"label\":0,\"final\":true}", 2, 40);
        s.accept("{\"key\":\"other\",\"step\":0,\"output\":[1,0],\"label\":0,\"final\":true}", -1, -1);
        assertEquals(4, s.outputs());
        assertEquals(2, s.finals());
        assertEquals(1, s.unknownKeys());
        assertEquals(0.5, s.accuracy());
        assertEquals(0.0, s.accuracyByStep()[0]);
        assertEquals(0.5, s.accuracyByStep()[1]);
        assertEquals(Double.NaN, s.accuracyByStep()[2]);
        assertEquals(1, s.confusion()[0][0]);
        assertEquals(1, s.confusion()[1][0]);
        assertEquals(2, s.processingPercentile(0.5));
        assertEquals(5, s.processingPercentile(0.99));
        assertEquals(40, s.committedPercentile(0.99));
        // All four arrived within this second: one second's row for the plots over time.
        double[][] perSecond = s.perSecond();
        assertEquals(4.0, perSecond[1][perSecond[1].length - 1] + (perSecond[1].length > 1 ? perSecond[1][0] : 0));
        double[][] q = s.latencyQuantiles(4);
        assertEquals(1.0, q[0][3]);
        assertEquals(5.0, q[1][3]);
        assertEquals(40.0, q[2][3]);
    }

    @Test
    void scoresEarlyDecisionsAndCountsUndecidedSequencesAtTheirLastStep() {
        Scoreboard s = new Scoreboard(List.of("a", "b"), 2, 4);
        s.expect("right", 0);
        s.expect("wrong", 1);
        s.expect("never", 0);
        s.accept("{\"key\":\"right\",\"step\":1,\"label\":\"a\",\"decision\":true}", -1, -1);
        s.accept("{\"key\":\"right\",\"step\":3,\"label\":\"a\",\"final\":true}", -1, -1);
        s.accept("{\"key\":\"wrong\",\"step\":0,\"label\":\"a\",\"decision\":true}", -1, -1);
        s.accept("{\"key\":\"wrong\",\"step\":3,\"label\":\"b\",\"final\":true}", -1, -1);
        s.accept("{\"key\":\"never\",\"step\":3,\"label\":\"a\",\"final\":true}", -1, -1);
        assertEquals(2, s.decisions());
        assertEquals(0.5, s.decisionPrecision());
        assertEquals((2 + 1 + 4) / 3.0, s.meanDecisionStep(), 1e-12);
    }
}
