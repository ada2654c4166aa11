package io.rnnstream.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageProfileTest {
    @Test
    void framesNameTheStageOfTheDataPathTheyBelongTo() {
        assertEquals("kernel (the step's arithmetic)", StageProfile.stageOf("io.rnnstream.model.VectorStepOps.block8"));
        assertEquals("kernel (the step's arithmetic)", StageProfile.stageOf("jdk.incubator.vector.FloatVector.fma"));
        assertEquals("keyed state (read, write, key groups)",
                StageProfile.stageOf("org.apache.flink.runtime.state.heap.CopyOnWriteStateMap.get"));
        assertEquals("order stage", StageProfile.stageOf("io.rnnstream.job.order.EventTimeOrdering.processElement"));
        assertEquals("sequence core and step operator (bookkeeping, head, emit)",
                StageProfile.stageOf("io.rnnstream.job.step.SequenceCore.onEvent"));
        assertEquals("network in and out (records to and from buffers)",
                StageProfile.stageOf("org.apache.flink.runtime.io.network.api.writer.RecordWriter.emit"));
        assertEquals("other", StageProfile.stageOf("org.apache.pekko.actor.ActorCell.invoke"));
    }

    @Test
    void theSqlStagesFramesNameThePtfRuntimesParts() {
        assertEquals("SQL: state hashed to skip unchanged writes (PTF runtime)",
                StageProfile.stageOf("StateHashCode$13$SubHashArray$35.hashCode"));
        assertEquals("SQL: conversions to and from Flink's row format (input row, state, output, Calc)",
                StageProfile.stageOf("org.apache.flink.table.data.conversion.ArrayObjectArrayConverter.toJavaArray"));
        assertEquals("SQL: conversions to and from Flink's row format (input row, state, output, Calc)",
                StageProfile.stageOf("io$rnnstream$job$SequenceMeta$5$Converter.toInternal"));
        assertEquals("SQL: the PTF operator, its contexts and collectors",
                StageProfile.stageOf("org.apache.flink.table.runtime.operators.process.ProcessSetTableOperator$1.processElement"));
        assertEquals("SQL: RNN_CLASSIFY's own code (rows to events, records to rows)",
                StageProfile.stageOf("io.rnnstream.sql.RowEvents.parse"));
        // A binary row's equals is the state's key lookup when the state map calls it.
        assertNull(StageProfile.stageOf("org.apache.flink.table.data.binary.BinaryRowData.equals"));
    }

    @Test
    void jdkAndSerializerFramesLeaveTheStageToTheirCaller() {
        assertNull(StageProfile.stageOf("java.util.Arrays.copyOf"));
        assertNull(StageProfile.stageOf("org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer.copy"));
        assertNull(StageProfile.stageOf("jdk.internal.vm.vector.VectorSupport.ternaryOp"));
    }

    @Test
    void onlyTheMeasuredWindowsSamplesCount(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("spin.jfr");
        long before = System.currentTimeMillis() - 1;
        try (Recording rec = StageProfile.start(Duration.ofMillis(2))) {
            spin(600);
            rec.stop();
            rec.dump(jfr);
        }
        long after = System.currentTimeMillis() + 1;
        long all = StageProfile.read(jfr, 1.0).samples();
        org.junit.jupiter.api.Assertions.assertTrue(all > 0, "the spinning thread was sampled");
        // Every sample lies between the recording's ends; none before it started.
        assertEquals(all, StageProfile.read(jfr, 1.0, new EndToEndBench.Window(before, after)).samples());
        assertEquals(0, StageProfile.read(jfr, 1.0, new EndToEndBench.Window(0, before - 1)).samples());
        assertEquals(0, StageProfile.read(jfr, 1.0, new EndToEndBench.Window(after + 1, Long.MAX_VALUE)).samples());
        Files.deleteIfExists(jfr);
    }

    private static volatile double sink;

    private static void spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        double x = 0;
        while (System.nanoTime() < end) {
            x += Math.sqrt(x + 1);
        }
        sink = x;
    }
}
