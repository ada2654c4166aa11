package io.rnnstream.trainer;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG charts, drawn by XChart (headless): line charts and a confusion matrix. */
public final class Plot {
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728)};
    private static final int W = 640;
    private static final int H = 400;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** One line: its legend name and points; NaN y values are skipped. */
    public record Series(String name, double[] x, double[] y) {}

    private Plot() {}

    /** A line chart titled {@code title}; name its axes, add its series, then {@link Lines#writeTo}. */
    public static Lines lines(String title) {
        return new Lines(title);
    }

    /** A line chart's settings; the y axis fits the data unless {@link #yFrom}/{@link #yTo} fix an end. */
    public static final class Lines {
        private final String title;
        private final List<Series> series = new ArrayList<>();
        private String xLabel = "";
        private String yLabel = "";
        private Double yMin;
        private Double yMax;
        private boolean legendBelow;

        private Lines(String title) {
            this.title = title;
        }

        public Lines xAxis(String label) {
            this.xLabel = label;
            return this;
        }

        public Lines yAxis(String label) {
            this.yLabel = label;
            return this;
        }

        public Lines yFrom(double bottom) {
            this.yMin = bottom;
            return this;
        }

        public Lines yTo(double top) {
            this.yMax = top;
            return this;
        }

        /** The legend under the plot, not over it: for series that fill the whole width (a soak's). */
        public Lines legendBelow() {
            this.legendBelow = true;
            return this;
        }

        public Lines series(List<Series> lines) {
            series.addAll(lines);
            return this;
        }

        /** Writes the chart as a PNG to {@code file}. */
        public void writeTo(Path file) throws IOException {
            draw(file, title, xLabel, yLabel, series, yMin, yMax, legendBelow);
        }
    }

    private static void draw(Path file, String title, String xLabel, String yLabel, List<Series> series, Double yMin,
            Double yMax, boolean legendBelow) throws IOException {
        XYChart chart = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel)
                .build();
        style(chart);
        XYStyler st = chart.getStyler();
        st.setLegendPosition(legendBelow ? Styler.LegendPosition.OutsideS : Styler.LegendPosition.InsideNE);
        st.setSeriesColors(PALETTE);
        st.setMarkerSize(5);
        st.setYAxisMin(yMin);
        st.setYAxisMax(yMax);
        st.setPlotGridLinesColor(new Color(0xe6e6e6));
        st.setAxisTickLabelsFont(TEXT);
        st.setAxisTitleFont(TEXT);
        boolean whole = true;
        for (Series line : series) {
            // A point is dropped rather than left as a gap, so that a curve stays one line (as it was drawn
            // before XChart), and clamped to a fixed axis so that it stays in the plot.
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < line.x().length; i++) {
                double x = line.x()[i];
                double y = line.y()[i];
                if (Double.isNaN(x) || Double.isNaN(y)) {
                    continue;
                }
                xs.add(x);
                ys.add(Math.max(yMin == null ? y : yMin, Math.min(yMax == null ? y : yMax, y)));
                whole &= x == Math.rint(x);
            }
            if (xs.isEmpty()) {
                continue; // XChart refuses a series without points; the legend would name nothing drawn
            }
            XYSeries xy = chart.addSeries(line.name(), xs, ys);
            xy.setMarker(SeriesMarkers.CIRCLE);
            xy.setLineWidth(2f);
        }
        if (whole) {
            // Epochs and timesteps: whole-number ticks, not 2.5.
            st.setXAxisDecimalPattern("#");
        }
        if (chart.getSeriesMap().isEmpty()) {
            // Nothing measured (no validation split, no decisions): an empty plot that says so.
            chart.addSeries("no data", new double[] {0}, new double[] {yMin == null ? 0 : yMin})
                    .setMarker(SeriesMarkers.NONE);
        }
        write(chart, file);
    }

    /** Rows are true classes, columns predicted ones; cells coloured by the count, which they show. */
    public static void confusion(Path file, String title, int[][] m, List<String> names) throws IOException {
        int k = m.length;
        int cell = Math.max(18, Math.min(60, 480 / Math.max(1, k)));
        List<String> predicted = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            predicted.add(shorten(names.get(j), 12));
        }
        // XChart puts the first y category at the bottom; the first true class belongs at the top.
        List<String> actual = new ArrayList<>(predicted);
        Collections.reverse(actual);
        List<Number[]> cells = new ArrayList<>();
        int max = 1;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                cells.add(new Number[] {j, k - 1 - i, m[i][j]});
                max = Math.max(max, m[i][j]);
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(420, 200 + k * cell))
                .height(Math.max(360, 150 + k * cell)).title(title).xAxisTitle("predicted →").yAxisTitle("true ↓")
                .build();
        style(chart);
        HeatMapStyler st = chart.getStyler();
        st.setShowValue(true);
        st.setMin(0);
        st.setMax(max);
        st.setRangeColors(new Color[] {Color.WHITE, new Color(0x9ecae1), new Color(0x08519c)});
        st.setHeatMapValueDecimalPattern("#");
        st.setXAxisLabelRotation(45);
        st.setLegendVisible(false);
        st.setAxisTickLabelsFont(TEXT);
        st.setAxisTitleFont(TEXT);
        st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(12, Math.max(9, cell / 3))));
        chart.addSeries("confusion", predicted, actual, cells);
        write(chart, file);
    }

    /** What every chart shares: white background, the same fonts, no boxes around the title and legend. */
    private static void style(Chart<?, ?> chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(TITLE);
        s.setLegendFont(TEXT);
        s.setLegendBorderColor(new Color(0xcccccc));
        // Drawn over the lines: curves that end top-right (accuracy, precision) pass under its text.
        s.setLegendBackgroundColor(new Color(255, 255, 255, 235));
        s.setAntiAlias(true);
    }

    private static void write(Chart<?, ?> chart, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
