package io.rnnstream.bench.harness;

import java.util.List;

/** The benchmarks' tables: Markdown, and as readable as plain text in a terminal. */
public final class MarkdownTable {
    private MarkdownTable() {}

    /**
     * @param rows the header first, then one array per row, all of the same length
     * @param leftColumns how many first columns hold names (left-aligned); the rest hold numbers (right-aligned)
     */
    public static String of(List<String[]> rows, int leftColumns) {
        int[] w = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            sb.append('|');
            for (int i = 0; i < row.length; i++) {
                String pad = " ".repeat(w[i] - row[i].length());
                sb.append(' ').append(i < leftColumns ? row[i] + pad : pad + row[i]).append(" |");
            }
            sb.append('\n');
            if (r == 0) {
                sb.append('|');
                for (int i = 0; i < row.length; i++) {
                    sb.append(i < leftColumns ? "-".repeat(w[i] + 2) : "-".repeat(w[i] + 1) + ":").append('|');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
