package io.rnnstream.cli;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelInfo;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.keras.KerasExport;
import io.rnnstream.model.onnx.OnnxExport;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

// No mixinStandardHelpOptions: --version here is the model's version ('rnnstream --version' is rnnstream's).
@Command(name = "convert",
        description = {"Write the model as a native rnnstream file (.rnns): one checksummed file with the settings"
                + " and weights, e.g. to turn a Keras .h5 or .keras file into one. Options set the name, version"
                + " and class names that go into the model's id and outputs; e.g. to turn a Keras or ONNX file into"
                + " one.",
            "With --out FILE.h5 it writes a Keras 2 full-model HDF5 file instead (what model.save(\"x.h5\")"
                + " writes), for Keras and other tools that read Keras models; with --out FILE.onnx a per-step"
                + " ONNX graph (x (batch, time, features) → y (batch, time, K), the head at every step, as"
                + " predict --sequences gives it), for ONNX Runtime and other ONNX tools."})
final class ConvertCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A native .rnns file, a Keras model file or an ONNX .onnx"
            + " file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write: .rnns (native), .h5 / .hdf5"
            + " (Keras 2 full-model HDF5; it keeps the name, layers and weights, not the version or class names), or"
            + " .onnx (a per-step ONNX graph, opset " + OnnxExport.OPSET + ").")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "The model's name (default: kept).")
    String name;

    @Option(names = "--version", paramLabel = "N", description = "The model's version, a positive number"
            + " (default: kept).")
    Integer version;

    @Option(names = "--class-names", split = ",", paramLabel = "NAME",
            description = "One name per output unit, comma-separated, e.g. cat,dog,bird.")
    List<String> classNames;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    protected int run() {
        Model m = ModelLoader.load(model);
        ModelInfo info = m.info();
        if (name != null) {
            info = info.withName(name.strip());
        }
        if (version != null) {
            info = info.withVersion(version);
        }
        if (classNames != null) {
            List<String> names = classNames.stream().map(String::strip).toList();
            int k = m.outputSize();
            boolean binary = k == 1 && names.size() == 2;
            if (names.size() != k && !binary) {
                throw new ModelException(names.size() + " class names given but the model has " + k
                        + " output" + (k == 1 ? "" : "s") + ": give one name per output unit"
                        + (k == 1 ? " (or two for a sigmoid head: negative,positive)" : ""));
            }
            info = info.withClassNames(names);
        }
        Model converted = m.withInfo(info);
        String lower = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".h5") || lower.endsWith(".hdf5")) {
            KerasExport.write(converted, out);
            out().println("wrote " + out + " (Keras " + KerasExport.kerasVersion(converted) + " full-model HDF5): "
                    + converted.info().name() + " " + converted.describe());
            if (!converted.info().classNames().isEmpty() || converted.info().version() != 1) {
                out().println("note: a Keras file has no place for the model's version and class names;"
                        + " keep a .rnns file to serve with them");
            }
            return 0;
        }
        if (lower.endsWith(".onnx")) {
            OnnxExport.write(converted, out);
            out().println("wrote " + out + " (ONNX opset " + OnnxExport.OPSET + ", per-step graph x (batch, time, "
                    + converted.inputSize() + ") → y (batch, time, " + converted.outputSize() + ")): "
                    + converted.info().name() + " " + converted.describe());
            return 0;
        }
        ModelFile.write(converted, out);
        out().println("wrote " + out + ": " + converted.id() + " " + converted.describe());
        return 0;
    }
}
