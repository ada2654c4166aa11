package io.rnnstream.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.Fixtures;
import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    /** A hand-made .npy (format 1.0) with the given header dict and raw data. */
    private Path npy(String name, String dict, byte[] data) throws IOException {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h).put(data);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void readsAConformanceInput() {
        Npy.NpyArray a = Npy.read(Fixtures.conformance("cases/torch-mnist-simplernn128/input.npy"));
        assertArrayEquals(new int[] {4, 28, 28}, a.shape());
        assertEquals(4 * 28 * 28, a.data().length);
    }

    @Test
    void writeThenRead() {
        float[] data = {1f, -2.5f, 3.25f, 0f, Float.MIN_VALUE, 1e30f};
        Path p = tmp.resolve("a.npy");
        Npy.write(p, new int[] {2, 3}, data);
        Npy.NpyArray a = Npy.read(p);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(data, a.data());
        Npy.write(p, new int[] {6}, data);
        assertArrayEquals(new int[] {6}, Npy.read(p).shape());
        Npy.write(p, new int[] {}, new float[] {7f});
        assertArrayEquals(new float[] {7f}, Npy.read(p).data());
    }

    @Test
    void headerIs64ByteAligned() throws IOException {
        Path p = tmp.resolve("a.npy");
        Npy.write(p, new int[] {2, 3}, new float[6]);
        assertEquals(0, (Files.size(p) - 24) % 64);
    }

    @Test
    void readsFloat64() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(-3);
        Path p = npy("d.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", d.array());
        assertArrayEquals(new float[] {0.5f, -3f}, Npy.read(p).data());
    }

    @Test
    void refusesWhatItCannotRead() throws IOException {
        Path be = npy("be.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        assertTrue(assertThrows(ModelException.class, () -> Npy.read(be)).getMessage().contains("big-endian"));
        Path f = npy("f.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
        assertTrue(assertThrows(ModelException.class, () -> Npy.read(f)).getMessage().contains("Fortran order"));
        Path i = npy("i.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        assertTrue(assertThrows(ModelException.class, () -> Npy.read(i)).getMessage().contains("dtype int64"));
        Path t = npy("t.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[8]);
        assertTrue(assertThrows(ModelException.class, () -> Npy.read(t)).getMessage().contains("truncated"));
        Path x = tmp.resolve("x.npy");
        Files.write(x, "hello world".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertThrows(ModelException.class, () -> Npy.read(x)).getMessage().contains("not a NumPy"));
        assertTrue(assertThrows(ModelException.class, () -> Npy.read(tmp.resolve("none.npy"))).getMessage()
                .contains("not found"));
    }
}
