package io.rnnstream.cli;

import io.rnnstream.connectors.replay.Interleaver;
import io.rnnstream.connectors.WireFormat;
import io.rnnstream.connectors.replay.KafkaReplay;
import io.rnnstream.model.ModelException;
import io.rnnstream.trainer.data.CsvSequences;
import io.rnnstream.trainer.data.Datasets;
import io.rnnstream.trainer.data.MnistIdx;
import io.rnnstream.trainer.data.NpyDataset;
import io.rnnstream.trainer.data.SequenceDataset;
import io.rnnstream.trainer.data.TsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Turns a data set into live-looking event traffic on a Kafka topic. */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = "Replays a data set as events on a Kafka topic: each sequence becomes one event per timestep"
                + " ({\"key\", \"step\", \"ts\", \"features\", \"end\"}), K sequences in flight at once with their events"
                + " interleaved, like real traffic.")
final class ReplayCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "DATA",
            description = "mnist, japanese-vowels or basic-motions (their held-out test part), or a file: MNIST IDX"
                    + " images (*idx3-ubyte.gz, labels beside it), a UEA/sktime .ts, a CSV sequence,step,feature…,label,"
                    + " or X.npy (N, T, D) / a folder holding it")
    String data;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, description = "The topic the job reads events from.")
    String topic;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S",
            description = "Events per second; 0 sends as fast as the broker takes them (default: ${DEFAULT-VALUE})."
                    + " A paced replay's producer sends with linger.ms=1 (Kafka's default is 5) unless"
                    + " --kafka-property sets it.")
    double rate;

    @Option(names = "--concurrent", defaultValue = "64", paramLabel = "K",
            description = "Sequences in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrent;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Replay only the first N sequences.")
    int limit;

    @Option(names = "--key-prefix", defaultValue = "seq-", description = "Keys are this plus the sequence's index"
            + " (default: ${DEFAULT-VALUE}).")
    String keyPrefix;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds the interleaving (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|avro",
            description = "Events as JSON text or Avro binary, as the job's --format reads them (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Any Kafka producer property; repeatable.")
    List<String> kafkaProperties = new ArrayList<>();

    @Option(names = "--kafka-properties-file", paramLabel = "FILE",
            description = "A .properties file of Kafka producer properties, e.g. credentials (as stream's).")
    java.nio.file.Path kafkaPropertiesFile;

    @Override
    protected int run() throws Exception {
        if (concurrent < 1) {
            throw new IllegalArgumentException("--concurrent must be at least 1");
        }
        WireFormat wire = WireFormat.parse(format);
        SequenceDataset d = load(data);
        if (limit > 0 && limit < d.size()) {
            d = d.limit(limit);
        }
        List<Interleaver.Sequence> seqs = new ArrayList<>(d.size());
        long events = 0;
        for (int i = 0; i < d.size(); i++) {
            seqs.add(new Interleaver.Sequence(keyPrefix + i, d.x()[i]));
            events += d.x()[i].length;
        }
        Properties p = KafkaClientSettings.load(kafkaPropertiesFile, kafkaProperties, err());
        err().printf(Locale.ROOT, "replaying %,d sequences (%,d events, %d features) of %s to %s on %s%n", d.size(),
                events, d.features(), data, topic, bootstrapServers);
        err().flush();
        Progress bar = Progress.start("replay", events, "events");
        long sent = KafkaReplay.send(new Interleaver(seqs.iterator(), concurrent, seed, System.currentTimeMillis(), 1),
                bootstrapServers, topic, p, rate, bar::update, (e, ts) -> { }, wire);
        bar.finish(sent);
        out().printf(Locale.ROOT, "sent %,d events of %,d sequences to %s%n", sent, d.size(), topic);
        return 0;
    }

    static SequenceDataset load(String spec) {
        String s = spec.toLowerCase(Locale.ROOT);
        if (s.equals("mnist") || s.equals("japanese-vowels") || s.equals("basic-motions")) {
            return Datasets.load(s, 0, 42).test();
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new ModelException(spec + ": no such file or folder; use mnist, japanese-vowels, basic-motions, or a"
                    + " .ts, .csv, .npy or MNIST IDX file");
        }
        String name = p.getFileName().toString();
        if (Files.isDirectory(p)) {
            return NpyDataset.read(p);
        }
        if (name.equals("X.npy")) {
            return NpyDataset.read(p.toAbsolutePath().getParent());
        }
        if (name.endsWith(".ts")) {
            return TsFile.read(p);
        }
        if (name.endsWith(".csv")) {
            return CsvSequences.read(p);
        }
        if (name.contains("idx3-ubyte")) {
            return MnistIdx.read(p, p.resolveSibling(name.replace("images-idx3", "labels-idx1")));
        }
        throw new ModelException(spec + ": unknown kind of file; use a .ts, .csv, X.npy or MNIST *idx3-ubyte.gz file");
    }
}
