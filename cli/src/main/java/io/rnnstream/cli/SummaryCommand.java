package io.rnnstream.cli;

import io.rnnstream.model.Model;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.Summary;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "summary", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = {"Print the model's layers, output shapes and parameter counts, as Keras's model.summary()"
                + " does, and the state the stream keeps per key."})
final class SummaryCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "A native .rnns file, a Keras .h5 or .keras file, a model.json with its weights beside"
                    + " it, or an ONNX .onnx file (e.g. from torch.onnx.export).")
    Path model;

    @Option(names = "--explain", description = "Work out each layer's parameter count with its numbers (and, for an"
            + " ONNX import, PyTorch's count), and say what units, timesteps and return_sequences mean.")
    boolean explain;

    @Option(names = "--ascii", description = "Draw the table with plain ASCII characters.")
    boolean ascii;

    @Override
    protected int run() {
        Model m = ModelLoader.load(model);
        out().print(Summary.render(m, explain, unicode() && !ascii));
        return 0;
    }
}
