package io.rnnstream.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.ModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFormatTest {
    @TempDir
    Path dir;

    /** A version 1.0 file as np.save lays it out, with the given header dict and raw data. */
    private Path npy(String name, String dict, byte[] data) throws Exception {
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void writesWhatItReads() {
        float[] v = {1.5f, -2f, Float.MIN_VALUE, 3e30f, 0f, -0f};
        Path p = dir.resolve("x.npy");
        Npy.write(p, new int[] {1, 2, 3}, v);
        Npy.NpyArray a = Npy.read(p);
        assertArrayEquals(new int[] {1, 2, 3}, a.shape());
        assertArrayEquals(v, a.data());
    }

    @Test
    void headerIsPaddedTo64() throws Exception {
        Path p = dir.resolve("x.npy");
        Npy.write(p, new int[] {3}, new float[] {1, 2, 3});
        byte[] b = Files.readAllBytes(p);
        assertEquals(128 + 12, b.length);
        String h = new String(b, 10, 118, StandardCharsets.ISO_8859_1);
        assertTrue(h.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), h);
        assertEquals('\n', h.charAt(h.length() - 1));
    }

    @Test
    void readsFloat64() throws Exception {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-7);
        Npy.NpyArray a = Npy.read(npy("d.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }",
                d.array()));
        assertArrayEquals(new int[] {2, 1}, a.shape());
        assertArrayEquals(new float[] {0.1f, -7f}, a.data());
    }

    @Test
    void refusesByName() throws Exception {
        byte[] four = new byte[8];
        String m = assertThrows(ModelException.class, () -> Npy.read(npy("b.npy",
                "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", four))).getMessage();
        assertTrue(m.contains("big-endian"), m);
        m = assertThrows(ModelException.class, () -> Npy.read(npy("f.npy",
                "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", four))).getMessage();
        assertTrue(m.contains("Fortran order"), m);
        m = assertThrows(ModelException.class, () -> Npy.read(npy("i.npy",
                "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", four))).getMessage();
        assertTrue(m.contains("dtype int64"), m);
        m = assertThrows(ModelException.class, () -> Npy.read(npy("t.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", four))).getMessage();
        assertTrue(m.contains("truncated"), m);
        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "1,2,3\n");
        m = assertThrows(ModelException.class, () -> Npy.read(junk)).getMessage();
        assertTrue(m.contains("not a NumPy .npy file"), m);
        m = assertThrows(ModelException.class, () -> Npy.read(dir.resolve("none.npy"))).getMessage();
        assertTrue(m.contains("not found"), m);
    }

    @Test
    void shapeStrings() {
        assertEquals("(3,)", Npy.shapeString(new int[] {3}));
        assertEquals("(2, 3, 4)", Npy.shapeString(new int[] {2, 3, 4}));
        assertEquals(0, Npy.read(writeScalar()).shape().length);
    }

    private Path writeScalar() {
        Path p = dir.resolve("s.npy");
        Npy.write(p, new int[0], new float[] {4});
        return p;
    }

    static String show(float[] a) {
        return Arrays.toString(a);
    }
}
