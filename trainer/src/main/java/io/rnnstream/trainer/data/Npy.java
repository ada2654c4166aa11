package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal reader of NumPy {@code .npy} files (format versions 1–3, C order): float32/64 and
 * int8/16/32/64 (and uint8) arrays, returned as doubles with their shape. The model module has no
 * npy reader, so the trainer keeps this small one to itself.
 */
public final class Npy {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** A read array: its shape and its values in C order. */
    public record Array(int[] shape, double[] data) {
        public int dim(int i) {
            return shape[i];
        }
    }

    private Npy() {}

    public static Array read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ModelException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || bytes[1] != 'N' || bytes[2] != 'U' || bytes[3] != 'M'
                || bytes[4] != 'P' || bytes[5] != 'Y') {
            throw new ModelException(path + " is not a .npy file (save it with numpy.save)");
        }
        int major = bytes[6];
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            headerStart = 10;
        } else {
            headerLen = bb.getInt(8);
            headerStart = 12;
        }
        String header = new String(bytes, headerStart, headerLen,
                major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !s.find()) {
            throw new ModelException(path + ": unreadable .npy header " + header.strip());
        }
        if (f.find() && f.group(1).equals("True")) {
            throw new ModelException(path + " is in Fortran order: save numpy.ascontiguousarray(a) instead");
        }
        String[] dims = s.group(1).split(",");
        int n = 0;
        for (String dim : dims) {
            if (!dim.isBlank()) {
                n++;
            }
        }
        int[] shape = new int[n];
        long count = 1;
        int k = 0;
        for (String dim : dims) {
            if (!dim.isBlank()) {
                shape[k] = Integer.parseInt(dim.strip());
                count *= shape[k++];
            }
        }
        String descr = d.group(1);
        char order = descr.charAt(0);
        if (order == '>') {
            bb.order(ByteOrder.BIG_ENDIAN);
        }
        String type = descr.substring(1);
        int pos = headerStart + headerLen;
        double[] data = new double[(int) count];
        int width = Integer.parseInt(type.substring(1));
        if (pos + count * width > bytes.length) {
            throw new ModelException(path + " is truncated: its header promises " + count + " values");
        }
        for (int i = 0; i < count; i++) {
            int at = pos + i * width;
            data[i] = switch (type) {
                case "f4" -> bb.getFloat(at);
                case "f8" -> bb.getDouble(at);
                case "i1" -> bb.get(at);
                case "u1" -> bb.get(at) & 0xff;
                case "i2" -> bb.getShort(at);
                case "i4" -> bb.getInt(at);
                case "i8" -> bb.getLong(at);
                default -> throw new ModelException(path + ": dtype '" + descr
                        + "' is not supported; save float32/float64 or int arrays");
            };
        }
        return new Array(shape, data);
    }
}
