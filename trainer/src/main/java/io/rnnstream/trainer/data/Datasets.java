package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a {@code --data} argument into training and test parts: a bundled data set by name
 * ({@code mnist}, {@code japanese-vowels}, {@code basic-motions}, read from the repository's
 * {@code data/} folder) or a path ({@code .ts}, {@code .csv}, or a folder of {@code X.npy}/{@code y.npy}).
 */
public final class Datasets {
    /** MNIST here is LeCun's 10,000-image test set, split: the first 8,000 train, the last 2,000 test. */
    public static final int MNIST_TRAIN = 8000;

    public static final String DATA_DIR_PROPERTY = "rnnstream.data.dir";
    public static final String DATA_DIR_ENV = "RNNSTREAM_DATA";

    private Datasets() {}

    /**
     * @param testFraction for a path without its own test part: the stratified share held out
     * @param seed seeds that hold-out split
     */
    public static TrainTest load(String spec, double testFraction, long seed) {
        switch (spec.toLowerCase(Locale.ROOT)) {
            case "mnist":
                return mnist(bundled("t10k-images-idx3-ubyte.gz"));
            case "japanese-vowels":
            case "japanesevowels":
                return tsPair(bundled("JapaneseVowels_TRAIN.ts"), "japanese-vowels");
            case "basic-motions":
            case "basicmotions":
                return tsPair(bundled("BasicMotions_TRAIN.ts"), "basic-motions");
            default:
                return path(Path.of(spec), testFraction, seed);
        }
    }

    public static TrainTest mnist(Path imagesFile) {
        Path dir = imagesFile.toAbsolutePath().getParent();
        SequenceDataset all = MnistIdx.read(dir.resolve("t10k-images-idx3-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz"));
        return new TrainTest(rename(all.range(0, MNIST_TRAIN), "mnist"),
                rename(all.range(MNIST_TRAIN, all.size()), "mnist"));
    }

    private static TrainTest tsPair(Path trainFile, String name) {
        SequenceDataset train = TsFile.read(trainFile);
        Path testFile = trainFile.resolveSibling(trainFile.getFileName().toString().replace("_TRAIN", "_TEST"));
        SequenceDataset test = TsFile.read(testFile, train.classNames());
        return new TrainTest(rename(train, name), rename(test, name));
    }

    static TrainTest path(Path p, double testFraction, long seed) {
        if (!Files.exists(p)) {
            throw new ModelException("--data " + p + ": no such file or folder; use mnist, japanese-vowels,"
                    + " basic-motions, a .ts or .csv file, or a folder with X.npy and y.npy");
        }
        String file = p.getFileName().toString();
        if (Files.isDirectory(p)) {
            if (NpyDataset.isNpyFolder(p.resolve("train")) && NpyDataset.isNpyFolder(p.resolve("test"))) {
                SequenceDataset train = NpyDataset.read(p.resolve("train"));
                SequenceDataset test = NpyDataset.read(p.resolve("test"));
                return new TrainTest(rename(train, file), rename(test, file));
            }
            if (NpyDataset.isNpyFolder(p)) {
                return holdOut(NpyDataset.read(p), testFraction, seed);
            }
            throw new ModelException("--data " + p + ": the folder needs X.npy and y.npy (or train/ and test/"
                    + " folders that have them)");
        }
        if (file.endsWith(".ts")) {
            if (file.contains("_TRAIN")) {
                Path test = p.resolveSibling(file.replace("_TRAIN", "_TEST"));
                if (Files.exists(test)) {
                    return tsPair(p, file.replace("_TRAIN.ts", ""));
                }
            }
            return holdOut(TsFile.read(p), testFraction, seed);
        }
        if (file.endsWith(".csv")) {
            Path test = p.resolveSibling(file.replace("train", "test"));
            if (file.contains("train") && Files.exists(test)) {
                SequenceDataset tr = CsvSequences.read(p);
                return new TrainTest(tr, CsvSequences.read(test, tr.classNames()));
            }
            return holdOut(CsvSequences.read(p), testFraction, seed);
        }
        if (file.endsWith(".gz") && file.contains("idx3")) {
            return mnist(p);
        }
        throw new ModelException("--data " + p + ": unknown kind of file; use a .ts or .csv file or a folder with"
                + " X.npy and y.npy");
    }

    private static TrainTest holdOut(SequenceDataset all, double testFraction, long seed) {
        if (testFraction <= 0 || testFraction >= 1) {
            throw new ModelException("the test fraction must be between 0 and 1, not " + testFraction);
        }
        SequenceDataset[] parts = all.stratifiedSplit(testFraction, seed);
        return new TrainTest(parts[0], parts[1]);
    }

    private static SequenceDataset rename(SequenceDataset d, String name) {
        return new SequenceDataset(name, d.x(), d.y(), d.classNames());
    }

    /** A file of the bundled data sets: -Drnnstream.data.dir, $RNNSTREAM_DATA, or data/ here or above. */
    public static Path bundled(String file) {
        String prop = System.getProperty(DATA_DIR_PROPERTY);
        if (prop == null || prop.isBlank()) {
            prop = System.getenv(DATA_DIR_ENV);
        }
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop).resolve(file);
            if (Files.exists(p)) {
                return p;
            }
            throw new ModelException(p + " does not exist; point " + DATA_DIR_ENV + " at the repository's data/"
                    + " folder");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("data").resolve(file);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new ModelException("cannot find data/" + file + " in this folder or any above it; run from the"
                + " rnnstream checkout or set " + DATA_DIR_ENV + " to its data/ folder");
    }
}
