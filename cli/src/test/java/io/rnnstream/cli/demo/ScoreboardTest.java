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

    @Test
    void filesProcessingLatencyUnderTheSecondTheJobWroteTheOutputAndCommittedUnderItsArrival() {
        Scoreboard s = new Scoreboard(List.of("a", "b"), 2, 3);
        s.expect("k", 0);
        // Checkpoints every 10 s: outputs written in seconds 0, 1 and 2 are all committed in second 10.
        long arrived = 1_000_000 + 10_500;
        s.accept("{\"key\":\"k\",\"step\":0,\"label\":\"a\"}", 7, 10_507, arrived);
        s.accept("{\"key\":\"k\",\"step\":1,\"label\":\"a\"}", 9, 9_509, arrived);
        s.accept("{\"key\":\"k\",\"step\":2,\"label\":\"a\",\"final\":true}", 30, 8_530, arrived);
        double[][] perSecond = s.perSecond();
        assertEquals(11, perSecond[0].length);
        assertEquals(List.of(1.0, 1.0, 1.0), List.of(perSecond[1][0], perSecond[1][1], perSecond[1][2]));
        assertEquals(List.of(7.0, 9.0, 30.0), List.of(perSecond[2][0], perSecond[2][1], perSecond[2][2]));
        assertEquals(Double.NaN, perSecond[3][0]);
        assertEquals(10_507.0, perSecond[3][10]);
        assertEquals(0.0, perSecond[1][10]);
        assertEquals(Double.NaN, perSecond[2][10]);
        // The second half of the run, as the demo quotes it: processing from second 1, committed from second 10.
        assertEquals(30, s.percentileFrom(1, 0.99, true));
        assertEquals(10_507, s.percentileFrom(10, 0.99, false));
    }
}
