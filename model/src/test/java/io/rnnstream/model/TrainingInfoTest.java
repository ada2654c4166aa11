package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.TrainingInfo.DecisionPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training record a model file may carry: written, read back, and the threshold it picks. */
class TrainingInfoTest {
    private static final List<DecisionPoint> TABLE = List.of(
            new DecisionPoint(0.5, 0.70, 1.0, 6.0, 28),
            new DecisionPoint(0.9, 0.93, 0.99, 12.0, 28),
            new DecisionPoint(0.95, 0.96, 0.98, 15.0, 28),
            // A noisy dip: 0.97 must not be picked for 0.95 even though 0.95 reached it before.
            new DecisionPoint(0.97, 0.94, 0.97, 16.0, 28),
            new DecisionPoint(0.99, 0.985, 0.9, 19.0, 28));

    private static TrainingInfo info() {
        return new TrainingInfo(TrainingInfo.EVERY_STEP, "t / (1 + 2 + … + L)", 1.25, 0.08, 0.02, 800, TABLE);
    }

    @Test
    void roundTripsThroughTheModelFileAndLeavesOldFilesAlone() {
        Model plain = TestModels.mnist(3);
        Model trained = plain.withInfo(plain.info().withTraining(info()));
        Model back = ModelFile.decode(ModelFile.encode(trained), "test");
        assertEquals(info(), back.info().training());
        assertTrue(back.info().training().perStepTrained());
        assertTrue(back.info().training().calibrated());
        // A model without it writes no "training" key: its bytes are those of the format before it.
        byte[] bytes = ModelFile.encode(plain);
        assertFalse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).contains("\"training\""));
        assertEquals(TrainingInfo.UNKNOWN, ModelFile.decode(bytes, "test").info().training());
        assertArrayEquals(bytes, ModelFile.encode(ModelFile.decode(bytes, "test")));
    }

    @Test
    void precisionPicksTheLowestThresholdFromWhichEveryRowReachedIt() {
        assertEquals(0.99, info().thresholdForPrecision(0.95).threshold(), "0.97 dipped to 0.94");
        assertEquals(0.9, info().thresholdForPrecision(0.93).threshold());
        assertEquals(0.5, info().thresholdForPrecision(0.6).threshold());
        ModelException none = assertThrows(ModelException.class, () -> info().thresholdForPrecision(0.99));
        assertTrue(none.getMessage().contains("lower --decide-at-precision"), none.getMessage());
        ModelException noTable = assertThrows(ModelException.class,
                () -> TrainingInfo.UNKNOWN.thresholdForPrecision(0.9));
        assertTrue(noTable.getMessage().contains("--validation-split"), noTable.getMessage());
    }

    @Test
    void summarySaysHowTheHeadWasTrainedAndShowsTheTable() {
        Model plain = TestModels.mnist(3);
        String s = Summary.render(plain.withInfo(plain.info().withTraining(info())), false, false);
        assertTrue(s.contains("trained at every step"), s);
        assertTrue(s.contains("temperature 1.2500"), s);
        assertTrue(s.contains("0.950       0.960"), s);
        String unknown = Summary.render(plain, false, false);
        assertTrue(unknown.contains("does not say how the head was trained"), unknown);
    }

    @Test
    void thresholdsMustRise() {
        assertThrows(ModelException.class, () -> new TrainingInfo(TrainingInfo.EVERY_STEP, null, 1, 0, 0, 1,
                List.of(TABLE.get(1), TABLE.get(0))));
    }
}
