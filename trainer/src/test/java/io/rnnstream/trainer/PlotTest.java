package io.rnnstream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
    @TempDir
    Path tmp;

    @Test
    void linesAreAPngOfTheReportSizeAndSkipNaN() throws Exception {
        Path png = tmp.resolve("accuracy.png");
        Plot.lines("Accuracy per epoch").xAxis("epoch").yAxis("accuracy").yTo(1).series(List.of(
                new Plot.Series("training", new double[] {1, 2, 3}, new double[] {0.5, 0.7, 0.9}),
                new Plot.Series("validation", new double[] {1, 2, 3}, new double[] {0.4, Double.NaN, 0.8}),
                new Plot.Series("never measured", new double[] {1}, new double[] {Double.NaN}))).writeTo(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
    }

    @Test
    void aChartWithoutPointsIsStillDrawn() throws Exception {
        Path png = tmp.resolve("empty.png");
        Plot.lines("nothing yet").xAxis("epoch").yAxis("loss").yFrom(0).writeTo(png);
        assertEquals(640, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void confusionGrowsWithTheClasses() throws Exception {
        Path small = tmp.resolve("small.png");
        Path large = tmp.resolve("large.png");
        Plot.confusion(small, "Confusion", new int[][] {{5, 1}, {0, 6}}, List.of("no", "a very long class name"));
        int[][] m = new int[20][20];
        for (int i = 0; i < 20; i++) {
            m[i][i] = 10;
        }
        Plot.confusion(large, "Confusion", m, java.util.Collections.nCopies(20, "c"));
        assertTrue(ImageIO.read(large.toFile()).getWidth() > ImageIO.read(small.toFile()).getWidth());
    }
}
