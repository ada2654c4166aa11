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
    void jdkAndSerializerFramesLeaveTheStageToTheirCaller() {
        assertNull(StageProfile.stageOf("java.util.Arrays.copyOf"));
        assertNull(StageProfile.stageOf("org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer.copy"));
        assertNull(StageProfile.stageOf("jdk.internal.vm.vector.VectorSupport.ternaryOp"));
    }
}
