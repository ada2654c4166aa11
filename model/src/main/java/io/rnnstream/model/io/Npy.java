package io.rnnstream.model.io;

import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of float32 or float64 in little-endian C order: what {@code np.save}
 * writes for an ordinary float array. Values are read as float32 (float64 is rounded to nearest,
 * as {@code x.astype('float32')} does). Writes float32, format 1.0.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** A float array and its shape, row-major (C order). */
    public record NpyArray(int[] shape, float[] data) {
        public int rank() {
            return shape.length;
        }
    }

    public static NpyArray read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelException("file not found: " + path);
        } catch (IOException e) {
            throw new ModelException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ModelException(path + " is not a NumPy .npy file (save the array with np.save)");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6] & 0xff;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = bb.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new ModelException(path + " is truncated: copy it again");
            }
            headerLength = bb.getInt(8);
            headerStart = 12;
        } else {
            throw new ModelException(path + " has .npy format version " + major + ", which this reader does not know");
        }
        if (headerLength < 0 || (long) headerStart + headerLength > bytes.length) {
            throw new ModelException(path + " is truncated (it ends inside its header): copy it again");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr", path);
        String fortran = group(FORTRAN, header, "fortran_order", path);
        String shapeText = group(SHAPE, header, "shape", path);
        boolean f8;
        switch (descr) {
            case "<f4":
                f8 = false;
                break;
            case "<f8":
                f8 = true;
                break;
            case ">f4":
            case ">f8":
                throw new ModelException(path + " is big-endian (dtype '" + descr + "'); save it little-endian:"
                        + " np.save(f, x.astype('<f4'))");
            default:
                throw new ModelException(path + " has dtype '" + descr + "'; only float32 and float64 are read: save"
                        + " it with np.save(f, x.astype('float32'))");
        }
        if (fortran.equals("True")) {
            throw new ModelException(path + " is in Fortran order (fortran_order=True); save it in C order:"
                    + " np.save(f, np.ascontiguousarray(x))");
        }
        int[] shape = parseShape(shapeText, path);
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        int width = f8 ? 8 : 4;
        long dataStart = (long) headerStart + headerLength;
        long need = dataStart + count * width;
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelException(path + " holds " + count + " values, more than one array here can take:"
                    + " split it into smaller files");
        }
        if (bytes.length < need) {
            throw new ModelException(path + " is truncated: shape " + shapeString(shape) + " needs " + need
                    + " bytes but the file has " + bytes.length + "; copy it again");
        }
        float[] data = new float[(int) count];
        bb.position((int) dataStart);
        if (f8) {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) bb.getDouble();
            }
        } else {
            bb.asFloatBuffer().get(data);
        }
        return new NpyArray(shape, data);
    }

    /** Writes float32, little-endian, C order, format 1.0 with the header padded to 64 bytes. */
    public static void write(Path path, int[] shape, float[] data) {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + shapeString(shape) + " needs " + count + " values, got "
                    + data.length);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeString(shape) + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer out = ByteBuffer.allocate(total + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(data);
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(path, out.array());
        } catch (IOException e) {
            throw new ModelException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** Python's tuple notation: (3,) for one axis, (2, 3) for two. */
    public static String shapeString(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static String group(Pattern p, String header, String key, Path path) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new ModelException(path + " has a .npy header without '" + key + "': save the array with np.save");
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, Path path) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split(",");
        int n = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
        int[] shape = new int[n];
        for (int i = 0; i < n; i++) {
            try {
                shape[i] = Integer.parseInt(parts[i].trim().replaceFirst("L$", ""));
            } catch (NumberFormatException e) {
                throw new ModelException(path + " has a bad shape (" + text + ") in its .npy header");
            }
            if (shape[i] < 0) {
                throw new ModelException(path + " has a bad shape (" + text + ") in its .npy header");
            }
        }
        return shape;
    }
}
