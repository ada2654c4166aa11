package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class StateVectorSerializerTest {
    private static float[] vector(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(v[i])) {
                // Flink's writeFloat folds every NaN into the canonical one; ours keeps the raw bits.
                v[i] = i;
            }
        }
        if (n > 3) {
            v[0] = -0f;
            v[1] = Float.NaN;
            v[2] = Float.NEGATIVE_INFINITY;
            v[3] = Float.MIN_VALUE;
        }
        return v;
    }

    /** The same bytes as Flink's own float[] serializer, and every float back bit for bit. */
    @Test
    void writesFlinksFloatArrayBytesInBulk() throws Exception {
        for (int n : new int[] {0, 1, 7, 128, 1000}) {
            float[] v = vector(n);
            DataOutputSerializer ours = new DataOutputSerializer(16);
            StateVectorSerializer.INSTANCE.serialize(v, ours);
            DataOutputSerializer flinks = new DataOutputSerializer(16);
            FloatPrimitiveArraySerializer.INSTANCE.serialize(v, flinks);
            assertArrayEquals(flinks.getCopyOfBuffer(), ours.getCopyOfBuffer(), "bytes, n=" + n);

            float[] back = StateVectorSerializer.INSTANCE.deserialize(new DataInputDeserializer(ours.getCopyOfBuffer()));
            assertEquals(n, back.length);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]), "float " + i);
            }
            DataOutputSerializer copied = new DataOutputSerializer(16);
            StateVectorSerializer.INSTANCE.copy(new DataInputDeserializer(ours.getCopyOfBuffer()), copied);
            assertArrayEquals(ours.getCopyOfBuffer(), copied.getCopyOfBuffer());
        }
    }

    @Test
    void theStateFieldUsesItAndItsSnapshotRestoresIt() {
        PojoTypeInfo<SequenceMeta> info = (PojoTypeInfo<SequenceMeta>) TypeInformation.of(SequenceMeta.class);
        assertInstanceOf(StateVectorSerializer.Info.class, info.getTypeAt(info.getFieldIndex("state")));
        var snapshot = StateVectorSerializer.INSTANCE.snapshotConfiguration();
        assertEquals(StateVectorSerializer.INSTANCE, snapshot.restoreSerializer());
        TypeSerializerSchemaCompatibility<float[]> c = StateVectorSerializer.INSTANCE.snapshotConfiguration()
                .resolveSchemaCompatibility(snapshot);
        assertEquals(true, c.isCompatibleAsIs());
        // The POJO keeps no Kryo anywhere.
        info.createSerializer(new SerializerConfigImpl());
    }
}
