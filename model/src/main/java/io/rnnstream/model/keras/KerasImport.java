package io.rnnstream.model.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Imports a Keras model: a legacy full-model {@code .h5} (Keras 2), a Keras 3 {@code .keras}
 * archive, or a model JSON ({@code model.to_json()}) with its weights {@code .h5}. Reads HDF5
 * with jhdf. Keras 1 files are refused; {@code hard_sigmoid} follows the writing Keras's major
 * version.
 */
public final class KerasImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private KerasImport() {}

    /** A legacy full-model {@code .h5} or a Keras 3 {@code .keras} archive. */
    public static Model load(Path file) {
        requireFile(file);
        String fileName = file.getFileName().toString();
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (startsWith(file, ZIP_MAGIC)) {
            return loadArchive(file);
        }
        if (lower.endsWith(".keras")) {
            throw new ModelException("cannot read " + file + ": not a valid .keras archive (it is not a zip file);"
                    + " save the model again with model.save(\"model.keras\")");
        }
        if (lower.endsWith(".json")) {
            throw new ModelException(file + " is a model config without weights: pass its weights .h5 too");
        }
        return withHdf(file, root -> {
            String modelConfig = KerasWeights.string(root, "model_config");
            if (modelConfig == null) {
                throw new ModelException(file + " holds weights only (no model_config): pass the model's JSON"
                        + " (model.to_json()) with it, or save the whole model with model.save()");
            }
            String version = KerasWeights.string(root, "keras_version");
            JsonNode config = parseJson(modelConfig, file + " (model_config)");
            KerasWeights weights = KerasWeights.of(root, file.toString());
            return build(config, weights, version, file.toString(), stem(fileName), fileName);
        });
    }

    /** The JSON of {@code model.to_json()} plus a weights-only {@code .h5}. */
    public static Model load(Path configJson, Path weightsH5) {
        requireFile(configJson);
        requireFile(weightsH5);
        JsonNode json;
        try {
            json = parseJson(Files.readString(configJson), configJson.toString());
        } catch (IOException e) {
            throw new ModelException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
        if (json.has("model_config") && !json.has("class_name")) {
            json = json.get("model_config");
        }
        JsonNode model = json;
        String jsonName = configJson.getFileName().toString();
        String weightsName = weightsH5.getFileName().toString();
        return withHdf(weightsH5, root -> {
            String version = KerasConfig.text(model, "keras_version");
            if (version == null) {
                version = KerasWeights.string(root, "keras_version");
            }
            KerasWeights weights = KerasWeights.of(root, weightsH5.toString());
            return build(model, weights, version, configJson.toString(), stem(jsonName),
                    jsonName + " + " + weightsName);
        });
    }

    private static Model loadArchive(Path file) {
        String fileName = file.getFileName().toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry configEntry = entry(zip, file, "config.json");
            ZipEntry weightsEntry = entry(zip, file, "model.weights.h5");
            if (configEntry == null || weightsEntry == null) {
                throw new ModelException("cannot read " + file + ": not a Keras .keras archive (it has no "
                        + (configEntry == null ? "config.json" : "model.weights.h5")
                        + "); save the model with model.save(\"model.keras\")");
            }
            JsonNode config = parseJson(readEntry(zip, configEntry), file + "!config.json");
            String version = null;
            ZipEntry metaEntry = entry(zip, file, "metadata.json");
            if (metaEntry != null) {
                version = KerasConfig.text(parseJson(readEntry(zip, metaEntry), file + "!metadata.json"),
                        "keras_version");
            }
            byte[] weightBytes = readEntry(zip, weightsEntry, file, WEIGHTS_LIMIT,
                    "a quarter of this JVM's heap: give it more with -Xmx if the model is really that large");
            String weightsWhat = file + "!model.weights.h5";
            String v = version;
            return withHdf(weightsWhat, () -> HdfFile.fromBytes(weightBytes), root -> {
                KerasWeights weights = KerasWeights.of(root, weightsWhat);
                return build(config, weights, v, file.toString(), stem(fileName), fileName);
            });
        } catch (ZipException e) {
            throw new ModelException("cannot read " + file + ": not a valid .keras archive (" + e.getMessage() + ")",
                    e);
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The archive's entry {@code name}, or null. Looking one up may decode other entries' names, and the JDK
     * throws an unchecked {@code IllegalArgumentException} for a name that is not UTF-8 (the zip's flag for
     * it was set): a damaged archive, refused like any other.
     */
    private static ZipEntry entry(ZipFile zip, Path file, String name) {
        try {
            return zip.getEntry(name);
        } catch (IllegalArgumentException e) {
            throw new ModelException("cannot read " + file + ": not a valid .keras archive (an entry's name is not"
                    + " UTF-8: " + e.getMessage() + "); save the model again with model.save(\"model.keras\")", e);
        }
    }

    private static String readEntry(ZipFile zip, ZipEntry e) throws IOException {
        return new String(readEntry(zip, e, Path.of(zip.getName()), JSON_LIMIT, "no Keras config is that large"),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A Keras config is kilobytes; more than this is not one. */
    static final int JSON_LIMIT = 16 << 20;
    /** What the weights may inflate to: a small deflated entry can claim gigabytes (a zip bomb). */
    static final long WEIGHTS_LIMIT = Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 4);

    /**
     * An entry's bytes, refused past {@code limit} before they are all inflated: neither the size the
     * archive claims nor a deflate stream's output is bounded by the archive's own length.
     */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, Path file, long limit, String why) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limit) {
                throw new ModelException("cannot read " + file + ": its " + e.getName() + " inflates to more than "
                        + limit + " bytes, " + why);
            }
            return bytes;
        }
    }

    static Model build(JsonNode config, KerasWeights weights, String version, String file, String stem,
            String sourceFiles) {
        int major = major(version, config, weights, file);
        KerasConfig kc = KerasConfig.parse(config, file);
        KerasModelBuilder b = new KerasModelBuilder(file, weights, major);
        for (JsonNode layer : kc.layers) {
            b.add(layer);
        }
        if (b.layers().isEmpty()) {
            throw new ModelException(file + ": the model has no layers rnnstream can run");
        }
        String name = kc.name != null && !kc.name.isBlank() ? kc.name : stem;
        String source = "keras " + (version == null ? "" : version + " ") + "(" + sourceFiles + ")";
        return new Model(new ModelInfo(name, 1, List.of(), source), b.timesteps(), b.layers());
    }

    /** The major version of the Keras that wrote the file; refuses Keras 1. */
    static int major(String version, JsonNode config, KerasWeights weights, String file) {
        if (version != null && !version.isBlank()) {
            int major;
            try {
                major = Integer.parseInt(version.trim().split("[.]")[0]);
            } catch (NumberFormatException e) {
                throw new ModelException(file + " names an unknown Keras version '" + version + "'");
            }
            if (major < 2) {
                throw new ModelException(file + " was written by Keras " + version + ": rnnstream reads Keras 2 and 3"
                        + " files; re-save it with Keras 2 or later (load it there and call model.save)");
            }
            return major;
        }
        // No version recorded: Keras 3 writes its own layout and "module" keys in its configs.
        return weights.isKeras3Layout() || config.has("module") ? 3 : 2;
    }

    private interface HdfOpener {
        HdfFile open();
    }

    /**
     * Reads the file into memory first, as the {@code .keras} path does. From a file channel, jhdf reads
     * a block of whatever length a header claims into a buffer of that length: a damaged header that
     * claims gigabytes made each read allocate and fill one (minutes of CPU for a 2 KB file, found by
     * {@code KerasFileFuzzTest}). In memory the same header fails at once, out of the buffer's bounds.
     */
    private static Model withHdf(Path file, Function<HdfFile, Model> body) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException("cannot read " + file + ": no such file");
        } catch (IOException | OutOfMemoryError e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return withHdf(file.toString(), () -> HdfFile.fromBytes(bytes), body);
    }

    /**
     * Runs {@code body} on an open HDF5 file. A damaged file fails in jhdf with whatever the first
     * bad byte causes, at opening or at any later read; all of them become one user-facing message.
     */
    private static Model withHdf(String what, HdfOpener opener, Function<HdfFile, Model> body) {
        try (HdfFile hdf = opener.open()) {
            return body.apply(hdf);
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : e.getMessage();
            throw new ModelException("cannot read " + what + ": not a valid HDF5 file (" + why + "); it may be"
                    + " truncated or damaged: copy or save it again", e);
        }
    }

    private static JsonNode parseJson(String text, String what) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new ModelException("cannot read " + what + ": it is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new ModelException("cannot read " + what + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static void requireFile(Path p) {
        if (!Files.exists(p)) {
            throw new ModelException("model file not found: " + p);
        }
        if (Files.isDirectory(p)) {
            throw new ModelException(p + " is a directory; pass the model file itself");
        }
    }

    private static boolean startsWith(Path file, byte[] magic) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(magic.length);
            return java.util.Arrays.equals(head, magic);
        } catch (NoSuchFileException e) {
            throw new ModelException("model file not found: " + file);
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String stem(String fileName) {
        String s = fileName;
        for (String ext : new String[] {".weights.h5", ".h5", ".hdf5", ".keras", ".json"}) {
            if (s.toLowerCase(Locale.ROOT).endsWith(ext)) {
                return s.substring(0, s.length() - ext.length());
            }
        }
        return s;
    }
}
