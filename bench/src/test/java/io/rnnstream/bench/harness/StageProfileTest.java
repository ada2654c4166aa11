package io.rnnstream.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

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
}
