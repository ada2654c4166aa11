package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Long-format CSV, one timestep per row: {@code sequence,step,feature_1,…,feature_D,label}. An
 * optional header row is recognised by a non-integer {@code step}. Rows of a sequence may come in
 * any order (they are sorted by step) and must all carry the same label. Classes are ordered
 * numerically when every label is an integer, else alphabetically.
 */
public final class CsvSequences {
    private CsvSequences() {}

    public static SequenceDataset read(Path path) {
        return read(path, null);
    }

    public static SequenceDataset read(Path path, List<String> classNames) {
        Map<String, List<float[]>> rows = new LinkedHashMap<>();
        Map<String, String> labelOf = new LinkedHashMap<>();
        int d = -1;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length < 4) {
                    throw new ModelException(path + ":" + lineNo + ": a row needs sequence,step,feature…,label"
                            + " (at least 4 columns), got " + f.length);
                }
                int step;
                try {
                    step = Integer.parseInt(f[1].strip());
                } catch (NumberFormatException e) {
                    if (lineNo == 1) {
                        continue; // the header
                    }
                    throw new ModelException(path + ":" + lineNo + ": step '" + f[1] + "' is not an integer");
                }
                int nf = f.length - 3;
                if (d < 0) {
                    d = nf;
                } else if (nf != d) {
                    throw new ModelException(path + ":" + lineNo + ": " + nf + " features where earlier rows have "
                            + d);
                }
                float[] row = new float[d + 1];
                row[0] = step;
                for (int k = 0; k < d; k++) {
                    String v = f[2 + k].strip();
                    try {
                        row[1 + k] = Float.parseFloat(v);
                    } catch (NumberFormatException e) {
                        throw new ModelException(path + ":" + lineNo + ": feature " + k + " '" + v
                                + "' is not a number");
                    }
                }
                String seq = f[0].strip();
                String label = f[f.length - 1].strip();
                String prev = labelOf.putIfAbsent(seq, label);
                if (prev != null && !prev.equals(label)) {
                    throw new ModelException(path + ":" + lineNo + ": sequence '" + seq + "' has label '" + label
                            + "' here but '" + prev + "' before; a sequence has one label");
                }
                rows.computeIfAbsent(seq, k -> new ArrayList<>()).add(row);
            }
        } catch (IOException e) {
            throw new ModelException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new ModelException(path + " has no data rows");
        }
        List<String> names = classNames;
        if (names == null) {
            boolean numeric = labelOf.values().stream().allMatch(s -> s.matches("-?\\d+"));
            TreeSet<String> set = new TreeSet<>(numeric ? Comparator.comparingLong(Long::parseLong)
                    : Comparator.<String>naturalOrder());
            set.addAll(labelOf.values());
            names = new ArrayList<>(set);
        }
        float[][][] xs = new float[rows.size()][][];
        int[] ys = new int[rows.size()];
        int i = 0;
        for (Map.Entry<String, List<float[]>> e : rows.entrySet()) {
            List<float[]> steps = e.getValue();
            steps.sort(Comparator.comparingDouble(a -> a[0]));
            xs[i] = new float[steps.size()][];
            for (int t = 0; t < steps.size(); t++) {
                if (t > 0 && steps.get(t)[0] == steps.get(t - 1)[0]) {
                    throw new ModelException(path + ": sequence '" + e.getKey() + "' has step "
                            + (int) steps.get(t)[0] + " twice");
                }
                xs[i][t] = java.util.Arrays.copyOfRange(steps.get(t), 1, d + 1);
            }
            ys[i] = names.indexOf(labelOf.get(e.getKey()));
            if (ys[i] < 0) {
                throw new ModelException(path + ": class '" + labelOf.get(e.getKey()) + "' is not among " + names);
            }
            i++;
        }
        String name = path.getFileName().toString().replaceFirst("\\.csv$", "");
        return new SequenceDataset(name, xs, ys, names);
    }
}
