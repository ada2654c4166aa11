package io.rnnstream.bench;

import io.rnnstream.bench.harness.BenchGenerator;
import io.rnnstream.connectors.AvroRecords;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventParser;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.connectors.RecordJson;
import io.rnnstream.connectors.replay.ReplayEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the job pays per event for its wire format: one event record's bytes to an {@link Event} (as the
 * source and parse stage do: JSON is decoded to text first) plus one output to its record bytes (as the
 * sink does), for MNIST-shaped events (28 features, ~80 % zeros, the Kafka benchmark's pool) and a
 * 10-float output. Candidates:
 * <ul>
 *   <li>{@code json}: the job's JSON path ({@link EventParser}, {@link RecordJson});</li>
 *   <li>{@code avro}: Avro binary through our codec ({@link AvroRecords});</li>
 *   <li>{@code avro-generic}: the same bytes through Apache Avro's {@code GenericDatumReader}/{@code Writer}
 *       (a {@code GenericRecord} per datum), the way a library user would;</li>
 *   <li>{@code compact}: a hand-written fixed layout (lengths as shorts, step and ts as fixed ints,
 *       floats raw), the floor a non-standard encoding would buy.</li>
 * </ul>
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main WireFormatBenchmark
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) io.rnnstream.bench.WireFormatBenchmark 5
 * </pre>
 * The second form is for a shared machine: JMH's wall-clock averages there swing by more than the
 * differences, so it reads this thread's CPU time over 400,000 calls per format, the formats interleaved
 * round after round, and prints each round and the medians.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Thread)
public class WireFormatBenchmark {
    @Param({"json", "avro", "avro-generic", "compact"})
    public String format;

    private static final int N = 1024;
    private byte[][] events;
    private OutputRecord[] outputs;
    private int i;

    private final EventParser parser = new EventParser(28);
    private Schema eventSchema;
    private Schema outputSchema;
    private GenericDatumReader<GenericRecord> genericReader;
    private GenericDatumWriter<GenericRecord> genericWriter;
    private BinaryDecoder decoder;
    private BinaryEncoder encoder;
    private GenericRecord reusedEvent;
    private final ByteArrayOutputStream bytesOut = new ByteArrayOutputStream(256);

    @Setup(Level.Trial)
    public void setUp() {
        eventSchema = schema("event.avsc");
        outputSchema = schema("output.avsc");
        genericReader = new GenericDatumReader<>(eventSchema);
        genericWriter = new GenericDatumWriter<>(outputSchema);
        float[][] pool = BenchGenerator.features(N, 28, 7);
        events = new byte[N][];
        outputs = new OutputRecord[N];
        for (int k = 0; k < N; k++) {
            String key = BenchGenerator.keyName(k % 2000);
            long ts = 1_764_000_000_000L + k;
            Event e = new Event(key, k % 28, ts, pool[k], k % 28 == 27);
            events[k] = switch (format) {
                case "json" -> new ReplayEvent(key, k % 28, ts, pool[k], k % 28 == 27).toJson()
                        .getBytes(StandardCharsets.UTF_8);
                case "compact" -> compactEvent(e);
                default -> AvroRecords.event(e);
            };
            OutputRecord o = new OutputRecord();
            o.key = key;
            o.step = k % 28;
            o.output = new float[10];
            for (int j = 0; j < 10; j++) {
                o.output[j] = pool[(k + 1) % N][j + 9] / 3f + 1f / (j + 3);
            }
            o.labelIndex = k % 10;
            o.last = k % 28 == 27;
            o.model = "mnist-simplernn@1-0a1b2c3d";
            outputs[k] = o;
        }
    }

    /** Record bytes → event → (an output of it) → record bytes; returns both so neither is dead code. */
    @Benchmark
    public Object parseAndEncode() throws IOException {
        int k = i++ & (N - 1);
        byte[] in = events[k];
        OutputRecord o = outputs[k];
        switch (format) {
            case "json": {
                Event e = parser.parse(new String(in, StandardCharsets.UTF_8), null).event();
                o.key = e.key;
                return RecordJson.outputUtf8(o);
            }
            case "avro": {
                Event e = AvroRecords.event(in, null, 28).event();
                o.key = e.key;
                return AvroRecords.output(o);
            }
            case "avro-generic": {
                decoder = DecoderFactory.get().binaryDecoder(in, decoder);
                reusedEvent = genericReader.read(reusedEvent, decoder);
                Event e = fromGeneric(reusedEvent, in);
                o.key = e.key;
                return toGeneric(o);
            }
            default: {
                Event e = compactRead(in);
                o.key = e.key;
                return compactOutput(o);
            }
        }
    }

    /** Record bytes → event only. */
    @Benchmark
    public Object parse() throws IOException {
        byte[] in = events[i++ & (N - 1)];
        switch (format) {
            case "json":
                return parser.parse(new String(in, StandardCharsets.UTF_8), null).event();
            case "avro":
                return AvroRecords.event(in, null, 28).event();
            case "avro-generic":
                decoder = DecoderFactory.get().binaryDecoder(in, decoder);
                reusedEvent = genericReader.read(reusedEvent, decoder);
                return fromGeneric(reusedEvent, in);
            default:
                return compactRead(in);
        }
    }

    /** Output → record bytes only. */
    @Benchmark
    public Object encode() throws IOException {
        OutputRecord o = outputs[i++ & (N - 1)];
        switch (format) {
            case "json":
                return RecordJson.outputUtf8(o);
            case "avro":
                return AvroRecords.output(o);
            case "avro-generic":
                return toGeneric(o);
            default:
                return compactOutput(o);
        }
    }

    /** With the raw bytes kept as the job keeps them (base64), as {@link AvroRecords} does. */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String[] formats = {"json", "avro", "avro-generic", "compact"};
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        double[][] ns = new double[3][formats.length * rounds];
        String[] ops = {"parseAndEncode", "parse", "encode"};
        long sink = 0;
        WireFormatBenchmark[] b = new WireFormatBenchmark[formats.length];
        for (int f = 0; f < formats.length; f++) {
            b[f] = new WireFormatBenchmark();
            b[f].format = formats[f];
            b[f].setUp();
            for (int j = 0; j < 300_000; j++) {
                sink += b[f].parseAndEncode().hashCode() + b[f].parse().hashCode() + b[f].encode().hashCode();
            }
        }
        int calls = 400_000;
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
            for (int f = 0; f < formats.length; f++) {
                for (int op = 0; op < 3; op++) {
                    long t0 = cpu.getCurrentThreadCpuTime();
                    for (int j = 0; j < calls; j++) {
                        Object o = op == 0 ? b[f].parseAndEncode() : op == 1 ? b[f].parse() : b[f].encode();
                        sink += o == null ? 0 : 1;
                    }
                    ns[op][f * rounds + r] = (cpu.getCurrentThreadCpuTime() - t0) / (double) calls;
                }
                line.append(String.format(java.util.Locale.ROOT, "  %s %.0f/%.0f/%.0f ns", formats[f],
                        ns[0][f * rounds + r], ns[1][f * rounds + r], ns[2][f * rounds + r]));
            }
            System.out.println(line);
        }
        System.out.println("| format | parse + encode ns | parse ns | encode ns | event bytes | output bytes |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (int f = 0; f < formats.length; f++) {
            double[] med = new double[3];
            for (int op = 0; op < 3; op++) {
                double[] v = java.util.Arrays.copyOfRange(ns[op], f * rounds, (f + 1) * rounds);
                java.util.Arrays.sort(v);
                med[op] = v[rounds / 2];
            }
            double evBytes = 0;
            for (byte[] e : b[f].events) {
                evBytes += e.length;
            }
            Object out = b[f].encode();
            System.out.println(String.format(java.util.Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %d |", formats[f],
                    med[0], med[1], med[2], evBytes / N, ((byte[]) out).length));
        }
        System.out.println("(" + (sink == 42 ? "" : "done") + ")");
    }

    private static Event fromGeneric(GenericRecord g, byte[] in) {
        Event e = new Event();
        e.raw = java.util.Base64.getEncoder().encodeToString(in);
        Object key = g.get("key");
        e.key = key == null ? null : key.toString();
        Object step = g.get("step");
        e.step = step == null ? Event.NO_STEP : (Integer) step;
        Object ts = g.get("ts");
        e.ts = ts == null ? Event.NO_TS : (Long) ts;
        @SuppressWarnings("unchecked")
        List<Float> f = (List<Float>) g.get("features");
        e.features = new float[f.size()];
        for (int j = 0; j < e.features.length; j++) {
            e.features[j] = f.get(j);
        }
        e.end = (Boolean) g.get("end");
        return e;
    }

    private byte[] toGeneric(OutputRecord o) throws IOException {
        GenericRecord g = new GenericData.Record(outputSchema);
        g.put("key", o.key);
        g.put("step", o.step);
        List<Float> l = new ArrayList<>(o.output.length);
        for (float f : o.output) {
            l.add(f);
        }
        g.put("output", l);
        g.put("label_index", o.labelIndex == OutputRecord.NO_LABEL ? null : o.labelIndex);
        g.put("label", o.labelName);
        g.put("final", o.last);
        g.put("decision", o.decision);
        g.put("model", o.model);
        g.put("hidden", null);
        g.put("reason", o.reason);
        bytesOut.reset();
        encoder = EncoderFactory.get().binaryEncoder(bytesOut, encoder);
        genericWriter.write(g, encoder);
        encoder.flush();
        return bytesOut.toByteArray();
    }

    static byte[] compactEvent(Event e) {
        byte[] key = e.key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + key.length + 4 + 8 + 1 + 2 + 4 * e.features.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) key.length).put(key).putInt(e.step).putLong(e.ts).put((byte) (e.end ? 1 : 0))
                .putShort((short) e.features.length);
        for (float f : e.features) {
            b.putFloat(f);
        }
        return b.array();
    }

    static Event compactRead(byte[] in) {
        ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        Event e = new Event();
        int kl = b.getShort();
        e.key = new String(in, 2, kl, StandardCharsets.UTF_8);
        b.position(2 + kl);
        e.step = b.getInt();
        e.ts = b.getLong();
        e.end = b.get() == 1;
        e.features = new float[b.getShort()];
        for (int j = 0; j < e.features.length; j++) {
            e.features[j] = b.getFloat();
        }
        e.raw = java.util.Base64.getEncoder().encodeToString(in);
        return e;
    }

    static byte[] compactOutput(OutputRecord o) {
        byte[] key = o.key.getBytes(StandardCharsets.UTF_8);
        byte[] model = o.model.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + key.length + 4 + 2 + 4 * o.output.length + 4 + 1 + 2 + model.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) key.length).put(key).putInt(o.step).putShort((short) o.output.length);
        for (float f : o.output) {
            b.putFloat(f);
        }
        b.putInt(o.labelIndex).put((byte) ((o.last ? 1 : 0) | (o.decision ? 2 : 0)))
                .putShort((short) model.length).put(model);
        return b.array();
    }

    static Schema schema(String name) {
        try (InputStream in = AvroRecords.class.getResourceAsStream("/io/rnnstream/connectors/avro/" + name)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
