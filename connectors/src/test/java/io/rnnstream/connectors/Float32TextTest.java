package io.rnnstream.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Float32Text} writes, for every float32 it does not decline, the text Jackson's fast writer writes
 * (Java 19+'s {@code Float.toString}). In every build: every 211th bit pattern (20 million floats) and the
 * edge values; {@code -Drnnstream.float32.exhaustive=true}: all 2^32 (a few minutes on two cores).
 */
class Float32TextTest {
    private static final long ALL = 1L << 32;

    @Test
    void edgeValues() {
        float[] edges = {0f, -0f, Float.MIN_VALUE, Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE,
            1f, -1f, 0.1f, 0.5f, 1.0E-5f, 1.0E7f, 9999999f, Math.nextDown(1.0E7f), 0.001f, Math.nextDown(0.001f),
            Math.nextUp(0.001f), 123456.7f, 1.17549435E-38f, 3.4028235E38f, 2f, 1024f, 0x1p-20f, 0x1p100f, 100f,
            1.0E-45f, 0.3f, 2.0E-7f, 16777216f, 16777215f};
        for (float f : edges) {
            for (float v : new float[] {f, -f}) {
                String ours = ours(v);
                if (ours != null) {
                    assertEquals(NumberOutput.toString(v, true), ours, "float bits " + Integer.toHexString(
                            Float.floatToRawIntBits(v)));
                }
            }
        }
        assertEquals("0.0", ours(0f));
        assertEquals("-0.0", ours(-0f));
        assertEquals("1.0E-5", ours(1.0E-5f));
        assertEquals("0.1", ours(0.1f));
        assertEquals("1.0E7", ours(1.0E7f));
        assertEquals("9999999.0", ours(9999999f));
    }

    @Test
    void sameTextAsJackson() {
        long stride = Boolean.getBoolean("rnnstream.float32.exhaustive") ? 1 : 211;
        AtomicLong declined = new AtomicLong();
        AtomicLong written = new AtomicLong();
        // Slices of the bit patterns in parallel; each slice reports its first difference.
        int slices = 64;
        String firstDifference = IntStream.range(0, slices).parallel().mapToObj(slice -> {
            byte[] buf = new byte[Float32Text.MAX_CHARS];
            long from = ALL / slices * slice;
            long to = from + ALL / slices;
            long start = from + Math.floorMod(-from, stride);
            long d = 0;
            long w = 0;
            try {
                for (long b = start; b < to; b += stride) {
                    float f = Float.intBitsToFloat((int) b);
                    if (!Float.isFinite(f)) {
                        continue;
                    }
                    int end = Float32Text.write(f, buf, 0);
                    if (end < 0) {
                        d++;
                        continue;
                    }
                    w++;
                    String expected = NumberOutput.toString(f, true);
                    if (end != expected.length() || !expected.equals(new String(buf, 0, end, java.nio.charset.StandardCharsets.US_ASCII))) {
                        return Integer.toHexString((int) b) + ": " + new String(buf, 0, end, java.nio.charset.StandardCharsets.US_ASCII) + " where Jackson writes "
                                + expected;
                    }
                }
                return null;
            } finally {
                declined.addAndGet(d);
                written.addAndGet(w);
            }
        }).filter(s -> s != null).findFirst().orElse(null);
        assertEquals(null, firstDifference);
        // Subnormals (1/256 of the patterns) and the rare doubtful cases go to Jackson; nearly all others not.
        assertTrue(declined.get() < (written.get() + declined.get()) / 50,
                declined + " declined of " + (written.get() + declined.get()));
    }

    private static String ours(float f) {
        byte[] buf = new byte[Float32Text.MAX_CHARS];
        int end = Float32Text.write(f, buf, 0);
        return end < 0 ? null : new String(buf, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
