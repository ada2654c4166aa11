package io.rnnstream.model.onnx;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Imports a recurrent classifier from an ONNX file, as {@code torch.onnx.export} writes one: its
 * RNN, LSTM and GRU nodes and its head become the same layers a Keras file gives (Keras layouts
 * and gate orders), so it steps through the same kernel, one event at a time. docs/IMPORT.md
 * lists what is understood; anything else is refused with one line naming the node.
 */
public final class OnnxImport {
    /** ModelInfo.source of every imported model starts so; the summary counts parameters as PyTorch does for it. */
    public static final String SOURCE_PREFIX = "onnx ";
    /**
     * Files at or over protobuf's 2 GB message limit keep their weights in external data files
     * by ONNX's own rules; rnnstream reads self-contained files only.
     */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    private OnnxImport() {}

    /** True when the file is meant as ONNX: by its name, or by a protobuf ModelProto's first field. */
    public static boolean looksLikeOnnx(Path file) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            // ir_version (field 1, varint) comes first in every writer's output; IR versions are small.
            return head.length == 2 && head[0] == 0x08 && head[1] > 0 && head[1] < 64;
        } catch (IOException e) {
            return false;
        }
    }

    public static Model load(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size >= MAX_FILE_BYTES) {
                throw new ModelException(file + " is " + size + " bytes, over the 2 GB an ONNX file can hold by"
                        + " itself: export it with external data and convert it to .rnns on a machine with the"
                        + " weights, or shrink the model");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException("model file not found: " + file);
        } catch (AccessDeniedException e) {
            throw new ModelException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String fileName = file.getFileName().toString();
        return read(bytes, file.toString(), fileName.replaceFirst("(?i)\\.onnx$", ""), fileName);
    }

    /**
     * @param file names the file in messages
     * @param name the model's name (e.g. the file name without .onnx)
     * @param sourceFile the file name recorded in the model's source
     */
    public static Model read(byte[] bytes, String file, String name, String sourceFile) {
        OnnxGraph g = OnnxReader.read(bytes, file);
        OnnxGraphMapper.Mapped mapped;
        try {
            mapped = OnnxGraphMapper.map(g);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
        String producer = g.producerName().isBlank() ? "" : " from " + g.producerName()
                + (g.producerVersion().isBlank() ? "" : " " + g.producerVersion());
        String source = SOURCE_PREFIX + "opset " + g.opset() + producer + " (" + sourceFile + ")";
        return new Model(new ModelInfo(name.isBlank() ? "model" : name, 1, List.of(), source),
                mapped.timesteps(), mapped.layers());
    }
}
