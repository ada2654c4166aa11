package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sktime/UEA {@code .ts} format: {@code #} comments, {@code @} headers, and after {@code @data}
 * one series per line, its dimensions separated by {@code :} (each a comma-separated list of values
 * over time) and the class label last. Multivariate series of any length; the dimensions of one
 * series must have equal length, since a timestep carries every feature.
 */
public final class TsFile {
    private TsFile() {}

    /** Reads with the class order of the file's {@code @classLabel} header (or first appearance). */
    public static SequenceDataset read(Path path) {
        return read(path, null);
    }

    /**
     * @param classNames the class order to use (e.g. the training file's), or null to take the file's
     */
    public static SequenceDataset read(Path path, List<String> classNames) {
        List<String> headerClasses = null;
        boolean inData = false;
        int dims = -1;
        List<float[][]> xs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String name = path.getFileName().toString().replaceFirst("\\.ts$", "");
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                if (!inData) {
                    if (!s.startsWith("@")) {
                        throw new ModelException(path + ":" + lineNo + ": expected a @header or @data before the"
                                + " series; is this a sktime .ts file?");
                    }
                    String[] parts = s.split("\\s+");
                    String key = parts[0].toLowerCase(Locale.ROOT);
                    switch (key) {
                        case "@data" -> inData = true;
                        case "@dimensions" -> dims = Integer.parseInt(parts[1]);
                        case "@classlabel" -> {
                            if (parts.length < 2 || !parts[1].equalsIgnoreCase("true")) {
                                throw new ModelException(path + ": @classLabel is not true: the file has no class"
                                        + " labels to train on");
                            }
                            headerClasses = new ArrayList<>();
                            for (int i = 2; i < parts.length; i++) {
                                headerClasses.add(parts[i]);
                            }
                        }
                        case "@timestamps" -> {
                            if (parts.length > 1 && parts[1].equalsIgnoreCase("true")) {
                                throw new ModelException(path + ": @timeStamps true is not supported; export the"
                                        + " series without timestamps");
                            }
                        }
                        default -> {
                            // @problemName, @univariate, @equalLength, @seriesLength, @missing: not needed.
                        }
                    }
                    continue;
                }
                String[] fields = s.split(":", -1);
                if (fields.length < 2) {
                    throw new ModelException(path + ":" + lineNo + ": a series needs its dimensions and a class"
                            + " label separated by ':'");
                }
                int d = fields.length - 1;
                if (dims > 0 && d != dims) {
                    throw new ModelException(path + ":" + lineNo + ": " + d + " dimensions but @dimensions says "
                            + dims);
                }
                float[][] dimValues = new float[d][];
                for (int k = 0; k < d; k++) {
                    String[] vals = fields[k].split(",");
                    dimValues[k] = new float[vals.length];
                    for (int t = 0; t < vals.length; t++) {
                        String v = vals[t].strip();
                        if (v.equals("?") || v.equalsIgnoreCase("nan")) {
                            throw new ModelException(path + ":" + lineNo + ": missing value at dimension " + k
                                    + " step " + t + ": fill or drop missing values first");
                        }
                        try {
                            dimValues[k][t] = Float.parseFloat(v);
                        } catch (NumberFormatException e) {
                            throw new ModelException(path + ":" + lineNo + ": '" + v + "' is not a number");
                        }
                    }
                    if (dimValues[k].length != dimValues[0].length) {
                        throw new ModelException(path + ":" + lineNo + ": dimension " + k + " has "
                                + dimValues[k].length + " values but dimension 0 has " + dimValues[0].length
                                + "; every dimension of a series needs the same length");
                    }
                }
                int len = dimValues[0].length;
                float[][] seq = new float[len][d];
                for (int t = 0; t < len; t++) {
                    for (int k = 0; k < d; k++) {
                        seq[t][k] = dimValues[k][t];
                    }
                }
                xs.add(seq);
                labels.add(fields[d].strip());
            }
        } catch (IOException e) {
            throw new ModelException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (!inData) {
            throw new ModelException(path + " has no @data line; is this a sktime .ts file?");
        }
        List<String> names = classNames != null ? classNames : headerClasses;
        if (names == null || names.isEmpty()) {
            Map<String, Boolean> seen = new LinkedHashMap<>();
            labels.forEach(l -> seen.put(l, true));
            names = new ArrayList<>(seen.keySet());
        }
        int[] y = new int[labels.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = names.indexOf(labels.get(i));
            if (y[i] < 0) {
                throw new ModelException(path + ": series " + i + " has class '" + labels.get(i)
                        + "' which is not among " + names);
            }
        }
        return new SequenceDataset(name, xs.toArray(new float[0][][]), y, names);
    }
}
