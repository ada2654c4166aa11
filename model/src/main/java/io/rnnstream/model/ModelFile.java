package io.rnnstream.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.LayerSettings;
import io.rnnstream.model.layers.LayerType;
import io.rnnstream.model.layers.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The native rnnstream model file ({@code .rnns}): one self-describing, versioned, checksummed
 * file holding the model's settings and weights. docs/MODEL_FORMAT.md is the specification; in
 * short:
 *
 * <pre>
 *   8 bytes   magic "RNNSTRM\n"
 *   u32 LE    format version (1)
 *   u32 LE    header length H in bytes
 *   H bytes   header: UTF-8 JSON (model info, timesteps, input size, layers, weight index)
 *   ...       data: the weights, float32 little-endian, row-major, in header order
 *   32 bytes  SHA-256 of every byte before it
 * </pre>
 *
 * The encoding is deterministic: a model always encodes to the same bytes, so that the SHA-256 of
 * the file (what {@code sha256sum} prints) identifies the model and goes into {@link Model#id()}.
 */
public final class ModelFile {
    /** The first 8 bytes of every native model file. */
    public static final byte[] MAGIC = "RNNSTRM\n".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;
    /** The usual file name extension. */
    public static final String EXTENSION = ".rnns";

    private static final int PREFIX = MAGIC.length + 4 + 4;
    private static final int CHECKSUM = 32;
    /** The header is padded with spaces so that the data section starts on this boundary. */
    private static final int ALIGN = 8;
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /**
     * Fixed pretty-printing: "\n" line ends on every platform and a float writer that does not
     * depend on the JDK's Float.toString, so the bytes (and the id) never change with the platform.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .defaultPrettyPrinter(new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n")))
            .build();

    private ModelFile() {}

    /** True when the file starts with the native format's magic bytes. */
    public static boolean isNative(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(MAGIC.length);
            return Arrays.equals(head, MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads and verifies a native model file; every refusal is a {@link ModelException} saying what to do. */
    public static Model read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelException("model file not found: " + path);
        } catch (AccessDeniedException e) {
            throw new ModelException("cannot read " + path + ": permission denied");
        } catch (IOException e) {
            throw new ModelException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return decode(bytes, path.toString());
    }

    /** Writes the model's encoding; through a temporary file beside it, so a reader never sees half a file. */
    public static void write(Model model, Path path) {
        byte[] bytes = encode(model);
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                // A temp file is private (0600); a model file is meant to be shared like any other file.
                try {
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the default ACLs already apply
                }
                try {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ModelException("cannot write the model to " + path + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the model's whole encoding, in lower-case hex: what {@code sha256sum model.rnns} prints. */
    public static String sha256Hex(Model model) {
        return HexFormat.of().formatHex(sha256(encode(model), 0, -1));
    }

    // ------------------------------------------------------------------------------------ encode

    /** The model as the bytes of a native model file; the same model always gives the same bytes. */
    public static byte[] encode(Model model) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<Map<String, Object>> layers = new ArrayList<>();
        long offset = 0;
        for (Layer l : model.layers()) {
            List<Map<String, Object>> weights = new ArrayList<>();
            for (Map.Entry<String, Tensor> w : l.weights().entrySet()) {
                Tensor t = w.getValue();
                long length = 4L * t.data().length;
                Map<String, Object> wm = new LinkedHashMap<>();
                wm.put("name", w.getKey());
                wm.put("dtype", "float32");
                wm.put("shape", t.shape());
                wm.put("offset", offset);
                wm.put("length", length);
                weights.add(wm);
                ByteBuffer bb = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.data());
                data.writeBytes(bb.array());
                offset += length;
            }
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("type", l.type());
            lm.put("name", l.name());
            lm.put("config", l.config());
            lm.put("weights", weights);
            layers.add(lm);
        }
        ModelInfo info = model.info();
        Map<String, Object> mi = new LinkedHashMap<>();
        mi.put("name", info.name());
        mi.put("version", info.version());
        mi.put("class_names", info.classNames());
        mi.put("source", info.source());
        if (!info.training().equals(TrainingInfo.UNKNOWN)) {
            mi.put("training", trainingJson(info.training()));
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", "rnnstream-model");
        header.put("format_version", FORMAT_VERSION);
        header.put("model", mi);
        header.put("timesteps", model.timesteps() < 0 ? null : model.timesteps());
        header.put("input_size", model.inputSize());
        header.put("output_size", model.outputSize());
        header.put("byte_order", "little");
        header.put("data_length", offset);
        header.put("layers", layers);

        byte[] json;
        try {
            json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new ModelException("cannot encode the model header: " + e.getMessage(), e);
        }
        int pad = (ALIGN - (PREFIX + json.length + 1) % ALIGN) % ALIGN;
        int headerLength = json.length + pad + 1;
        ByteBuffer out = ByteBuffer.allocate(PREFIX + headerLength + data.size() + CHECKSUM)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(FORMAT_VERSION).putInt(headerLength).put(json);
        for (int i = 0; i < pad; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        out.put(data.toByteArray());
        byte[] bytes = out.array();
        byte[] sum = sha256(bytes, 0, bytes.length - CHECKSUM);
        System.arraycopy(sum, 0, bytes, bytes.length - CHECKSUM, CHECKSUM);
        return bytes;
    }

    // ------------------------------------------------------------------------------------ decode

    /**
     * Verifies and rebuilds a model from a native file's bytes.
     *
     * @param sourceName names the file in messages, e.g. its path
     */
    public static Model decode(byte[] bytes, String sourceName) {
        String src = sourceName == null ? "the model file" : sourceName;
        checkMagic(bytes, src);
        if (bytes.length < PREFIX) {
            throw truncated(src, "it ends inside the first " + PREFIX + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long version = Integer.toUnsignedLong(bb.getInt(MAGIC.length));
        if (version != FORMAT_VERSION) {
            if (version > FORMAT_VERSION) {
                throw new ModelException(src + " was written by a newer rnnstream, format " + version
                        + "; this one reads " + FORMAT_VERSION + ": upgrade rnnstream to read it");
            }
            throw new ModelException(src + " has unknown format version " + version + "; this rnnstream reads "
                    + FORMAT_VERSION + ": the file is corrupted or not a model file");
        }
        long headerLength = Integer.toUnsignedLong(bb.getInt(MAGIC.length + 4));
        if (PREFIX + headerLength + CHECKSUM > bytes.length) {
            throw truncated(src, "its header alone needs " + (PREFIX + headerLength + CHECKSUM) + " bytes but the file has "
                    + bytes.length);
        }
        // The header says how long the data is; parse it first (without trusting it) so that a file
        // cut short is reported as truncated rather than as a checksum failure.
        JsonNode header = null;
        try {
            header = JSON.readTree(new String(bytes, PREFIX, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            // reported below: either the checksum fails (corruption) or the writer was broken
        }
        if (header != null && header.path("data_length").canConvertToLong()) {
            long expected = PREFIX + headerLength + header.path("data_length").asLong() + CHECKSUM;
            if (bytes.length < expected) {
                throw truncated(src, "it should be " + expected + " bytes but is " + bytes.length);
            }
            if (bytes.length > expected) {
                throw new ModelException(src + " has " + (bytes.length - expected) + " unexpected bytes after its"
                        + " end: the file is corrupted or was edited; restore it from the original or convert it again");
            }
        }
        byte[] stored = Arrays.copyOfRange(bytes, bytes.length - CHECKSUM, bytes.length);
        byte[] actual = sha256(bytes, 0, bytes.length - CHECKSUM);
        if (!MessageDigest.isEqual(stored, actual)) {
            HexFormat hex = HexFormat.of();
            throw new ModelException(src + ": the file is corrupted or was edited: checksum "
                    + hex.formatHex(actual).substring(0, 16) + "... does not match the stored "
                    + hex.formatHex(stored).substring(0, 16) + "...; restore it from the original or convert it again");
        }
        if (header == null || !header.isObject()) {
            throw new ModelException(src + ": the header is not a JSON object although the checksum matches: the"
                    + " program that wrote it is broken; write it again with 'rnnstream convert'");
        }
        int dataStart = PREFIX + (int) headerLength;
        int dataLength = bytes.length - CHECKSUM - dataStart;
        try {
            return build(header, bb, dataStart, dataLength, src);
        } catch (ModelException e) {
            throw new ModelException(src + ": " + e.getMessage(), e);
        }
    }

    private static void checkMagic(byte[] bytes, String src) {
        int n = Math.min(bytes.length, MAGIC.length);
        if (n == MAGIC.length && Arrays.equals(bytes, 0, n, MAGIC, 0, n)) {
            return;
        }
        if (n < MAGIC.length && n > 0 && Arrays.equals(bytes, 0, n, MAGIC, 0, n)) {
            throw truncated(src, "it ends inside the magic bytes");
        }
        if (startsWith(bytes, HDF5_MAGIC)) {
            throw new ModelException(src + " is not an rnnstream model file: it looks like a Keras file (HDF5);"
                    + " load it by its .h5 name, or turn it into a native file with 'rnnstream convert'");
        }
        if (startsWith(bytes, ZIP_MAGIC)) {
            throw new ModelException(src + " is not an rnnstream model file: it looks like a Keras file (a .keras"
                    + " zip archive); load it by its .keras name, or turn it into a native file with 'rnnstream"
                    + " convert'");
        }
        if (bytes.length == 0) {
            throw new ModelException(src + " is empty: it is not an rnnstream model file");
        }
        throw new ModelException(src + " is not an rnnstream model file (it does not start with \"RNNSTRM\");"
                + " pass a .rnns file written by rnnstream, or a Keras .h5/.keras file");
    }

    private static ModelException truncated(String src, String detail) {
        return new ModelException(src + " is truncated (" + detail + "): the copy or download was cut short;"
                + " copy the file again");
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Model build(JsonNode header, ByteBuffer bb, int dataStart, int dataLength, String src) {
        int fv = intField(header, "format_version", "the header");
        if (fv != FORMAT_VERSION) {
            throw new ModelException("the header says format " + fv + " but the file prefix says " + FORMAT_VERSION
                    + ": the file is inconsistent; write it again with 'rnnstream convert'");
        }
        JsonNode mi = field(header, "model", "the header");
        List<String> classNames = new ArrayList<>();
        for (JsonNode c : field(mi, "class_names", "model")) {
            classNames.add(c.asText());
        }
        ModelInfo info = new ModelInfo(textField(mi, "name", "model"), intField(mi, "version", "model"), classNames,
                mi.path("source").asText(""), training(mi.get("training")));
        JsonNode ts = header.get("timesteps");
        int timesteps = ts == null || ts.isNull() ? -1 : intField(header, "timesteps", "the header");
        List<Layer> layers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode ln : field(header, "layers", "the header")) {
            String where = "layer " + i;
            String type = textField(ln, "type", where);
            String name = textField(ln, "name", where);
            if (!names.add(name)) {
                throw new ModelException("two layers are named '" + name + "': the file is inconsistent");
            }
            Map<String, Tensor> weights = readWeights(ln, bb, dataStart, dataLength, name);
            JsonNode cfg = field(ln, "config", "layer '" + name + "'");
            LayerType layerType = LayerType.of(type);
            Layer layer;
            try {
                layer = layerType.read(new FileSettings(name, cfg, weights));
            } catch (ModelException e) {
                throw new ModelException("layer '" + name + "' (" + type + "): " + e.getMessage()
                        + "; the file is inconsistent, write it again from the original model", e);
            }
            if (!weights.isEmpty()) {
                throw new ModelException("layer '" + name + "' (" + type + ") has weights it does not use: "
                        + weights.keySet() + "; the file is inconsistent, write it again from the original model");
            }
            layers.add(layer);
            i++;
        }
        Model model;
        try {
            model = new Model(info, timesteps, layers);
        } catch (ModelException e) {
            throw new ModelException(e.getMessage() + "; the file is inconsistent, write it again from the original"
                    + " model", e);
        }
        if (header.has("input_size") && intField(header, "input_size", "the header") != model.inputSize()) {
            throw new ModelException("the header says input_size " + header.get("input_size").asText()
                    + " but the first layer reads " + model.inputSize() + ": the file is inconsistent");
        }
        return model;
    }

    private static Map<String, Object> trainingJson(TrainingInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", t.objective());
        m.put("step_weights", t.stepWeights());
        m.put("temperature", finite(t.temperature()));
        m.put("ece_before", finite(t.eceBefore()));
        m.put("ece_after", finite(t.eceAfter()));
        m.put("validation_sequences", t.validationSequences());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TrainingInfo.DecisionPoint d : t.decisions()) {
            rows.add(d.asJson());
        }
        m.put("decisions", rows);
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Optional and informative: a file without it, or from before it existed, reads as {@link TrainingInfo#UNKNOWN}. */
    private static TrainingInfo training(JsonNode t) {
        if (t == null || t.isNull()) {
            return TrainingInfo.UNKNOWN;
        }
        if (!t.isObject()) {
            throw new ModelException("model.training must be an object: the file is inconsistent");
        }
        List<TrainingInfo.DecisionPoint> rows = new ArrayList<>();
        for (JsonNode r : t.path("decisions")) {
            rows.add(new TrainingInfo.DecisionPoint(number(r, "threshold"), number(r, "precision"),
                    number(r, "decided"), number(r, "mean_decision_step"), number(r, "mean_length")));
        }
        JsonNode obj = t.get("objective");
        JsonNode sw = t.get("step_weights");
        return new TrainingInfo(obj == null || obj.isNull() ? null : obj.asText(),
                sw == null || sw.isNull() ? null : sw.asText(), number(t, "temperature"), number(t, "ece_before"),
                number(t, "ece_after"), t.path("validation_sequences").asInt(0), rows);
    }

    private static double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw new ModelException("model.training." + field + " must be a number, not " + v
                    + ": the file is inconsistent");
        }
        return v.asDouble();
    }

    private static Map<String, Tensor> readWeights(JsonNode ln, ByteBuffer bb, int dataStart, int dataLength,
            String layer) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        JsonNode ws = ln.get("weights");
        if (ws == null || ws.isNull()) {
            return out;
        }
        for (JsonNode w : ws) {
            String name = textField(w, "name", "a weight of layer '" + layer + "'");
            String what = "weight '" + layer + "/" + name + "'";
            String dtype = w.path("dtype").asText("float32");
            if (!dtype.equals("float32")) {
                throw new ModelException(what + " has dtype " + dtype + "; format 1 stores float32 only");
            }
            JsonNode sn = field(w, "shape", what);
            int[] shape = new int[sn.size()];
            long count = 1;
            for (int k = 0; k < shape.length; k++) {
                if (!sn.get(k).canConvertToInt() || sn.get(k).asInt() < 0) {
                    throw new ModelException(what + " has a bad shape " + sn + ": the file is inconsistent");
                }
                shape[k] = sn.get(k).asInt();
                count *= shape[k];
            }
            long offset = longField(w, "offset", what);
            long length = longField(w, "length", what);
            if (length != 4 * count) {
                throw new ModelException(what + " has shape " + Arrays.toString(shape) + " (" + count + " floats) but "
                        + length + " bytes: the file is inconsistent");
            }
            if (offset < 0 || offset % 4 != 0 || offset + length > dataLength) {
                throw new ModelException(what + " lies at bytes [" + offset + ", " + (offset + length)
                        + ") outside the data section of " + dataLength + " bytes: the file is inconsistent");
            }
            float[] data = new float[(int) count];
            ByteBuffer slice = bb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            slice.position(dataStart + (int) offset);
            slice.asFloatBuffer().get(data);
            if (out.put(name, new Tensor(shape, data)) != null) {
                throw new ModelException(what + " appears twice: the file is inconsistent");
            }
        }
        return out;
    }

    /**
     * A layer's settings as the native file states them: every one present, under the name the
     * layer's {@code config()} wrote; the weights it takes are removed from {@code weights}, so that
     * any left over show an inconsistent file.
     */
    private record FileSettings(String layerName, JsonNode config, Map<String, Tensor> weights)
            implements LayerSettings {
        @Override
        public int kerasMajor() {
            return 3;
        }

        @Override
        public int integer(String key) {
            return intField(config, key, layerName);
        }

        @Override
        public int inputSize(Tensor kernel) {
            return integer("input_size");
        }

        @Override
        public boolean flag(String key, boolean kerasDefault) {
            return boolField(config, key, layerName);
        }

        @Override
        public float number(String key, float kerasDefault) {
            return floatField(config, key, layerName);
        }

        @Override
        public Activation activation(String key, String kerasDefault) {
            return Activation.fromFileName(textField(config, key, layerName));
        }

        @Override
        public Weights weights(List<String> names) {
            return name -> {
                Tensor t = weights.remove(name);
                if (t == null) {
                    throw new ModelException("weight '" + name + "' is missing");
                }
                return t;
            };
        }
    }

    private static JsonNode field(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new ModelException(where + " has no '" + key + "': the file is inconsistent");
        }
        return v;
    }

    private static int intField(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelException(where + ": '" + key + "' should be an integer, not " + v);
        }
        return v.asInt();
    }

    private static long longField(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ModelException(where + ": '" + key + "' should be an integer, not " + v);
        }
        return v.asLong();
    }

    private static boolean boolField(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isBoolean()) {
            throw new ModelException(where + ": '" + key + "' should be true or false, not " + v);
        }
        return v.asBoolean();
    }

    private static String textField(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (!v.isTextual()) {
            throw new ModelException(where + ": '" + key + "' should be a string, not " + v);
        }
        return v.asText();
    }

    /** Floats are written in their shortest decimal form; parsing that text gives the same float back. */
    private static float floatField(JsonNode n, String key, String where) {
        JsonNode v = field(n, key, where);
        if (v.isNumber() || v.isTextual()) {
            try {
                return Float.parseFloat(v.asText());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new ModelException(where + ": '" + key + "' should be a number, not " + v);
    }

    private static byte[] sha256(byte[] bytes, int from, int to) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, from, (to < 0 ? bytes.length : to) - from);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** For tests and tools: the header JSON of a native file, unverified. */
    static String headerText(byte[] bytes) {
        int len = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(MAGIC.length + 4);
        return new String(bytes, PREFIX, len, StandardCharsets.UTF_8);
    }
}
