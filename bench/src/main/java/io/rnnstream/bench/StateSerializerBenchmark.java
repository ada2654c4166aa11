package io.rnnstream.bench;

import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.SequenceMetaSerializer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One key's state value ({@link SequenceMeta} of a running SimpleRNN(128) sequence) through its
 * serializer: {@code pojo} is Flink's PojoSerializer, which wrote it up to b4330e2, {@code sequence-meta}
 * the {@link SequenceMetaSerializer} that writes it now. The operations are where the backends spend
 * them:
 * <ul>
 *   <li>{@code checkpoint}: a heap-backend checkpoint writes each key's value into a
 *       {@code DataOutputViewStreamWrapper} over the checkpoint stream (here an unsynchronized buffer
 *       that is emptied when full, as Flink's file stream's own buffer);</li>
 *   <li>{@code put}/{@code get}: RocksDB serializes the value into a {@code DataOutputSerializer} on every
 *       write and reads it from a {@code DataInputDeserializer} on every read;</li>
 *   <li>{@code copy}: the heap backend copies a value the first time it is touched while a checkpoint
 *       is being written.</li>
 * </ul>
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main StateSerializerBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Thread)
public class StateSerializerBenchmark {
    @Param({"pojo", "sequence-meta"})
    public String serializer;

    private TypeSerializer<SequenceMeta> ser;
    private SequenceMeta meta;
    private DataOutputViewStreamWrapper checkpointStream;
    private DataOutputSerializer rocksOut;
    private byte[] bytes;
    private DataInputDeserializer rocksIn;

    /** A checkpoint stream's buffer: filled byte by byte or in blocks, emptied when full. */
    static final class StreamBuffer extends OutputStream {
        private final byte[] buf = new byte[4096];
        private int pos;
        long flushed;

        @Override
        public void write(int b) {
            if (pos == buf.length) {
                drain();
            }
            buf[pos++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (pos == buf.length) {
                    drain();
                }
                int n = Math.min(len, buf.length - pos);
                System.arraycopy(b, off, buf, pos, n);
                pos += n;
                off += n;
                len -= n;
            }
        }

        private void drain() {
            flushed += pos;
            pos = 0;
        }
    }

    @Setup
    public void setUp() throws IOException {
        ser = switch (serializer) {
            case "pojo" -> TypeInformation.of(SequenceMeta.class).createSerializer(new SerializerConfigImpl());
            case "sequence-meta" -> new SequenceMetaSerializer();
            default -> throw new IllegalArgumentException(serializer);
        };
        meta = new SequenceMeta();
        meta.active = true;
        meta.nextStep = 14;
        meta.maxTs = 1_700_000_000_000L;
        meta.state = new float[128];
        Random r = new Random(1);
        for (int i = 0; i < meta.state.length; i++) {
            meta.state[i] = (float) Math.tanh(r.nextGaussian());
        }
        checkpointStream = new DataOutputViewStreamWrapper(new StreamBuffer());
        rocksOut = new DataOutputSerializer(1024);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        ser.serialize(meta, out);
        bytes = out.getCopyOfBuffer();
        rocksIn = new DataInputDeserializer();
    }

    @Benchmark
    public DataOutputViewStreamWrapper checkpoint() throws IOException {
        ser.serialize(meta, checkpointStream);
        return checkpointStream;
    }

    @Benchmark
    public byte[] put() throws IOException {
        rocksOut.clear();
        ser.serialize(meta, rocksOut);
        return rocksOut.getCopyOfBuffer();
    }

    @Benchmark
    public SequenceMeta get() throws IOException {
        rocksIn.setBuffer(bytes);
        return ser.deserialize(rocksIn);
    }

    @Benchmark
    public SequenceMeta copy() {
        return ser.copy(meta);
    }
}
