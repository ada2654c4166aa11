package io.rnnstream.model.io;

import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of floats: reads little-endian float32 and float64 arrays in C order
 * (float64 is narrowed to float), writes float32. Anything else is refused by name, so a user
 * knows which {@code astype}/{@code ascontiguousarray} to call.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** An array read from a {@code .npy} file: its shape and its values in C (row-major) order. */
    public record NpyArray(int[] shape, float[] data) {
        public int rank() {
            return shape.length;
        }

        /** Number of values: the product of the shape. */
        public int size() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NpyArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyArray" + Arrays.toString(shape);
        }
    }

    public static NpyArray read(Path file) {
        byte[] bytes = bytesOf(file);
        return parse(bytes, file.toString());
    }

    /** What a .npy header says, and where the data starts. */
    private record Header(String descr, boolean fortran, int[] shape, int dataStart, long count) {}

    private static Header header(byte[] bytes, String what) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new ModelException(what + " is not a NumPy .npy file (no \\x93NUMPY magic): save it with numpy.save");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6] & 0xff;
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = buf.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new ModelException(what + " is truncated: its .npy header is incomplete");
            }
            headerLen = buf.getInt(8);
            headerStart = 12;
        } else {
            throw new ModelException(what + " has .npy format version " + major + ", which is not supported (1, 2, 3)");
        }
        if (headerLen < 0 || headerStart + (long) headerLen > bytes.length) {
            throw new ModelException(what + " is truncated: its .npy header is incomplete");
        }
        String header = new String(bytes, headerStart, headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, what, "descr");
        boolean fortran = "True".equals(group(FORTRAN, header, what, "fortran_order"));
        int[] shape = parseShape(group(SHAPE, header, what, "shape"), what);
        if (descr.startsWith(">") && descr.length() > 2 && !descr.endsWith("1")) {
            throw new ModelException(what + " holds big-endian numbers (" + descr + "): rnnstream reads little-endian;"
                    + " convert it with arr.astype('<f4')");
        }
        if (fortran && shape.length > 1) {
            throw new ModelException(what + " is stored in Fortran order: rnnstream reads C order; save"
                    + " numpy.ascontiguousarray(arr) instead");
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new ModelException(what + " is too large: " + n + " values");
        }
        return new Header(descr, fortran, shape, headerStart + headerLen, n);
    }

    private static void checkLength(byte[] bytes, Header h, int width, String what) {
        long needed = h.count() * width;
        if (bytes.length - h.dataStart() < needed) {
            throw new ModelException(what + " is truncated: shape " + Arrays.toString(h.shape()) + " needs " + needed
                    + " bytes of data but the file has " + (bytes.length - h.dataStart()));
        }
    }

    static NpyArray parse(byte[] bytes, String what) {
        Header h = header(bytes, what);
        String t = h.descr().substring(1);
        int width;
        if (t.equals("f4")) {
            width = 4;
        } else if (t.equals("f8")) {
            width = 8;
        } else {
            throw new ModelException(what + " holds dtype " + dtypeName(h.descr()) + ": rnnstream reads float32 or"
                    + " float64 arrays; convert it with arr.astype('float32')");
        }
        checkLength(bytes, h, width, what);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[(int) h.count()];
        buf.position(h.dataStart());
        if (width == 4) {
            buf.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) buf.getDouble(h.dataStart() + 8 * i);
            }
        }
        return new NpyArray(h.shape(), data);
    }

    private static byte[] bytesOf(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelException("file not found: " + file);
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whole numbers, e.g. class labels or sequence lengths. */
    public record IntArray(int[] shape, int[] data) {}

    /**
     * Reads an array of whole numbers: little-endian signed or unsigned integers of any width, or
     * floats that hold whole numbers (what {@code y.npy} and {@code lengths.npy} usually are).
     */
    public static IntArray readInts(Path file) {
        byte[] bytes = bytesOf(file);
        String what = file.toString();
        Header h = header(bytes, what);
        String t = h.descr().substring(1);
        int width;
        try {
            width = Integer.parseInt(t.substring(1));
        } catch (RuntimeException e) {
            width = -1;
        }
        char kind = t.isEmpty() ? '?' : t.charAt(0);
        boolean ok = (kind == 'i' || kind == 'u') && (width == 1 || width == 2 || width == 4 || width == 8)
                || kind == 'f' && (width == 4 || width == 8) || kind == 'b' && width == 1;
        if (!ok) {
            throw new ModelException(what + " holds dtype " + dtypeName(h.descr()) + ": expected whole numbers (int8"
                    + " to int64); convert it with arr.astype('int64')");
        }
        checkLength(bytes, h, width, what);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] data = new int[(int) h.count()];
        for (int i = 0; i < data.length; i++) {
            int at = h.dataStart() + i * width;
            double v;
            switch (width) {
                case 1:
                    v = kind == 'i' ? b.get(at) : b.get(at) & 0xff;
                    break;
                case 2:
                    v = kind == 'i' ? b.getShort(at) : b.getShort(at) & 0xffff;
                    break;
                case 4:
                    v = kind == 'f' ? b.getFloat(at) : kind == 'i' ? b.getInt(at) : b.getInt(at) & 0xffffffffL;
                    break;
                default:
                    v = kind == 'f' ? b.getDouble(at) : b.getLong(at);
            }
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new ModelException(what + " holds " + v + " at index " + i + ": expected whole numbers");
            }
            data[i] = (int) v;
        }
        return new IntArray(h.shape(), data);
    }

    /** Writes a little-endian float32 array in C order (.npy format 1.0). */
    public static void write(Path file, int[] shape, float[] data) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new ModelException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new ModelException("shape " + Arrays.toString(shape) + " needs " + n + " values but there are "
                    + data.length);
        }
        StringBuilder shapeText = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            shapeText.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) {
                shapeText.append(shape.length == 1 ? "," : ", ");
            }
        }
        shapeText.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        // NumPy pads the header with spaces and a newline so that the data starts 64-byte aligned.
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(10 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        for (float v : data) {
            buf.putFloat(v);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, buf.array());
        } catch (IOException e) {
            throw new ModelException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String group(Pattern p, String header, String what, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new ModelException(what + " has a malformed .npy header (no '" + key + "'): " + header.trim());
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, String what) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims.add(Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
            } catch (NumberFormatException e) {
                throw new ModelException(what + " has a malformed .npy shape: (" + text + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String dtypeName(String descr) {
        if (descr.length() < 2) {
            return "'" + descr + "'";
        }
        String body = descr.substring(1);
        char kind = body.charAt(0);
        String bits;
        try {
            bits = String.valueOf(Integer.parseInt(body.substring(1)) * 8);
        } catch (NumberFormatException e) {
            return "'" + descr + "'";
        }
        switch (kind) {
            case 'i':
                return "int" + bits;
            case 'u':
                return "uint" + bits;
            case 'f':
                return "float" + bits;
            case 'b':
                return "bool";
            case 'c':
                return "complex" + bits;
            default:
                return "'" + descr + "'";
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
}
