package io.rnnstream.trainer;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Small PNG charts drawn with java.awt, headless: line charts and a confusion matrix. */
public final class Plot {
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728)};
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;

    /** One line: its legend name and points; NaN y values are skipped. */
    public record Series(String name, double[] x, double[] y) {}

    private Plot() {}

    public static void lines(Path file, String title, String xLabel, String yLabel, List<Series> series, Double yMin,
            Double yMax) throws IOException {
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isNaN(s.y()[i])) {
                    continue;
                }
                x0 = Math.min(x0, s.x()[i]);
                x1 = Math.max(x1, s.x()[i]);
                y0 = Math.min(y0, s.y()[i]);
                y1 = Math.max(y1, s.y()[i]);
            }
        }
        if (yMin != null) {
            y0 = yMin;
        }
        if (yMax != null) {
            y1 = yMax;
        }
        if (!(x1 > x0)) {
            x1 = x0 + 1;
        }
        if (!(y1 > y0)) {
            y1 = y0 + 1;
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img, title);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            double yv = y0 + (y1 - y0) * i / 5;
            int py = TOP + ph - (int) Math.round(ph * (double) i / 5);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, py, LEFT + pw, py);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, Math.abs(y1 - y0) < 0.5 ? "%.3f" : "%.2f", yv);
            g.drawString(label, LEFT - 6 - fm.stringWidth(label), py + 4);
        }
        // Whole-number ticks (epochs, timesteps), at most about ten of them; five for a short range
        // (confidence from 0 to 1).
        boolean whole = x1 - x0 >= 3;
        double step = whole ? Math.max(1, Math.ceil((x1 - x0) / 10)) : (x1 - x0) / 5;
        for (double xv = x0; xv <= x1 + 1e-9; xv += step) {
            int px = LEFT + (int) Math.round(pw * (xv - x0) / (x1 - x0));
            g.setColor(Color.DARK_GRAY);
            g.drawLine(px, TOP + ph, px, TOP + ph + 4);
            String label = whole ? Long.toString(Math.round(xv)) : String.format(Locale.ROOT, "%.2f", xv);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + ph + 17);
        }
        g.drawRect(LEFT, TOP, pw, ph);
        g.drawString(xLabel, LEFT + pw / 2 - fm.stringWidth(xLabel) / 2, H - 12);
        Graphics2D gr = (Graphics2D) g.create();
        gr.rotate(-Math.PI / 2);
        gr.drawString(yLabel, -(TOP + ph / 2 + fm.stringWidth(yLabel) / 2), 16);
        gr.dispose();
        g.setStroke(new BasicStroke(2f));
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            g.setColor(PALETTE[si % PALETTE.length]);
            int px = -1;
            int py = -1;
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isNaN(s.y()[i]) || Double.isNaN(s.x()[i])) {
                    continue;
                }
                int nx = LEFT + (int) Math.round(pw * (s.x()[i] - x0) / (x1 - x0));
                double yc = Math.max(y0, Math.min(y1, s.y()[i]));
                int ny = TOP + ph - (int) Math.round(ph * (yc - y0) / (y1 - y0));
                if (px >= 0) {
                    g.drawLine(px, py, nx, ny);
                }
                g.fillOval(nx - 2, ny - 2, 5, 5);
                px = nx;
                py = ny;
            }
        }
        int legendW = 0;
        for (Series s : series) {
            legendW = Math.max(legendW, fm.stringWidth(s.name()));
        }
        // The legend sits on a white box, drawn after the lines: curves that end top-right (accuracy,
        // precision) pass under it instead of through its text.
        int boxW = legendW + 40;
        int boxX = LEFT + pw - boxW - 4;
        g.setColor(new Color(255, 255, 255, 235));
        g.fillRect(boxX, TOP + 4, boxW, 16 * series.size() + 6);
        int legendY = TOP + 18;
        for (int si = 0; si < series.size(); si++) {
            g.setColor(PALETTE[si % PALETTE.length]);
            g.drawLine(boxX + 6, legendY - 4, boxX + 26, legendY - 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(series.get(si).name(), boxX + 32, legendY);
            legendY += 16;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** Rows are true classes, columns predicted ones; cells shaded by their share of the row. */
    public static void confusion(Path file, String title, int[][] m, List<String> names) throws IOException {
        int k = m.length;
        int cell = Math.max(18, Math.min(60, 480 / Math.max(1, k)));
        int left = 110;
        int top = 70;
        int w = left + k * cell + 30;
        int h = top + k * cell + 60;
        BufferedImage img = new BufferedImage(Math.max(w, 360), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img, title);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(12, Math.max(9, cell / 3))));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < k; i++) {
            int rowSum = 0;
            for (int j = 0; j < k; j++) {
                rowSum += m[i][j];
            }
            for (int j = 0; j < k; j++) {
                double share = rowSum == 0 ? 0 : (double) m[i][j] / rowSum;
                int shade = (int) Math.round(255 - 200 * share);
                g.setColor(i == j ? new Color(shade, shade, 255) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(Color.GRAY);
                g.drawRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                String v = Integer.toString(m[i][j]);
                g.drawString(v, left + j * cell + (cell - fm.stringWidth(v)) / 2, top + i * cell + cell / 2 + 4);
            }
            g.setColor(Color.DARK_GRAY);
            String name = shorten(names.get(i), 14);
            g.drawString(name, left - 6 - fm.stringWidth(name), top + i * cell + cell / 2 + 4);
            Graphics2D gr = (Graphics2D) g.create();
            gr.translate(left + i * cell + cell / 2 + 4, top - 6);
            gr.rotate(-Math.PI / 4);
            gr.drawString(shorten(names.get(i), 12), 0, 0);
            gr.dispose();
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("predicted →", left, h - 30);
        g.drawString("true ↓", 10, top - 10);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static Graphics2D start(BufferedImage img, String title) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 12, 22);
        return g;
    }
}
