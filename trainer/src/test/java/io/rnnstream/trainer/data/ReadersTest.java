package io.rnnstream.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.ModelException;
import io.rnnstream.model.layers.Normalization;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on the data bundled in data/ and on small files written here. */
class ReadersTest {
    @TempDir
    Path tmp;

    @Test
    void mnistIsSplitEightThousandToTwoThousand() {
        TrainTest tt = Datasets.load("mnist", 0.2, 1);
        assertEquals(8000, tt.train().size());
        assertEquals(2000, tt.test().size());
        assertEquals(28, tt.train().features());
        assertEquals(28, tt.train().maxLength());
        assertEquals(28, tt.train().minLength());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), tt.train().classNames());
        // LeCun's test set starts with a 7.
        assertEquals(7, Datasets.load("mnist", 0.2, 1).train().y()[0]);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float[][] img : tt.train().x()) {
            for (float[] row : img) {
                for (float v : row) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        for (int c : tt.test().classCounts()) {
            assertTrue(c > 150, "every digit appears in the held-out part");
        }
    }

    @Test
    void japaneseVowelsHasVariableLengths() {
        TrainTest tt = Datasets.load("japanese-vowels", 0.2, 1);
        assertEquals(270, tt.train().size());
        assertEquals(370, tt.test().size());
        assertEquals(12, tt.train().features());
        assertEquals(9, tt.train().numClasses());
        int min = Math.min(tt.train().minLength(), tt.test().minLength());
        int max = Math.max(tt.train().maxLength(), tt.test().maxLength());
        assertEquals(7, min);
        assertEquals(29, max);
        assertArrayEquals(new int[] {30, 30, 30, 30, 30, 30, 30, 30, 30}, tt.train().classCounts());
        // The first series' first value, dimension 0, from the file.
        assertEquals(1.860936f, tt.train().x()[0][0][0]);
    }

    @Test
    void basicMotionsKeepsItsClassNames() {
        TrainTest tt = Datasets.load("basic-motions", 0.2, 1);
        assertEquals(40, tt.train().size());
        assertEquals(40, tt.test().size());
        assertEquals(6, tt.train().features());
        assertEquals(100, tt.train().maxLength());
        assertEquals(List.of("Standing", "Running", "Walking", "Badminton"), tt.train().classNames());
    }

    @Test
    void tsFileWithStringLabelsAndNoHeaderClasses() throws IOException {
        Path f = tmp.resolve("tiny_TRAIN.ts");
        Files.writeString(f, "# a comment\n@problemName tiny\n@dimensions 2\n@classLabel true\n@data\n"
                + "1,2,3:4,5,6:up\n7,8:9,10:down\n0.5:0.25:up\n");
        SequenceDataset d = TsFile.read(f);
        assertEquals(3, d.size());
        assertEquals(List.of("up", "down"), d.classNames());
        assertArrayEquals(new float[] {2, 5}, d.x()[0][1]);
        assertEquals(1, d.y()[1]);
        assertEquals(1, d.x()[2].length);
        Files.writeString(f, "@data\n1,2:3:up\n");
        ModelException e = assertThrows(ModelException.class, () -> TsFile.read(f));
        assertTrue(e.getMessage().contains("same length"), e.getMessage());
    }

    @Test
    void npyFolderWithLengths() throws IOException {
        // X (3, 4, 2) float32, y (3,) int64, lengths (3,) int32.
        float[] x = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        writeNpy(tmp.resolve("X.npy"), "<f4", "(3, 4, 2)", floatBytes(x));
        writeNpy(tmp.resolve("y.npy"), "<i8", "(3,)", longBytes(new long[] {2, 0, 1}));
        writeNpy(tmp.resolve("lengths.npy"), "<i4", "(3,)", intBytes(new int[] {4, 1, 3}));
        Files.writeString(tmp.resolve("classes.txt"), "a\nb\nc\n");
        SequenceDataset d = NpyDataset.read(tmp);
        assertEquals(3, d.size());
        assertEquals(List.of("a", "b", "c"), d.classNames());
        assertEquals(4, d.x()[0].length);
        assertEquals(1, d.x()[1].length);
        assertEquals(3, d.x()[2].length);
        assertArrayEquals(new float[] {8, 9}, d.x()[1][0]);
        assertArrayEquals(new float[] {20, 21}, d.x()[2][2]);
        assertArrayEquals(new int[] {2, 0, 1}, d.y());
    }

    @Test
    void csvLongFormat() throws IOException {
        Path f = tmp.resolve("seqs.csv");
        Files.writeString(f, "sequence,step,f1,f2,label\n"
                + "s1,1,0.1,0.2,walk\ns2,0,1,2,run\ns1,0,0.3,0.4,walk\ns2,1,3,4,run\ns2,2,5,6,run\n");
        SequenceDataset d = CsvSequences.read(f);
        assertEquals(2, d.size());
        assertEquals(List.of("run", "walk"), d.classNames());
        assertArrayEquals(new float[] {0.3f, 0.4f}, d.x()[0][0]);
        assertArrayEquals(new float[] {0.1f, 0.2f}, d.x()[0][1]);
        assertEquals(3, d.x()[1].length);
        assertEquals(1, d.y()[0]);
        Files.writeString(f, "s1,0,1,a\ns1,1,2,b\n");
        assertThrows(ModelException.class, () -> CsvSequences.read(f));
    }

    @Test
    void standardizerIsTheNormalizationLayer() {
        SequenceDataset d = Datasets.load("basic-motions", 0.2, 1).train();
        Normalization norm = Standardizer.fit(d);
        SequenceDataset s = Standardizer.apply(norm, d);
        double[] sum = new double[6];
        double[] sq = new double[6];
        long n = 0;
        for (float[][] seq : s.x()) {
            for (float[] step : seq) {
                for (int k = 0; k < 6; k++) {
                    sum[k] += step[k];
                    sq[k] += step[k] * step[k];
                }
                n++;
            }
        }
        for (int k = 0; k < 6; k++) {
            assertEquals(0, sum[k] / n, 1e-4);
            assertEquals(1, sq[k] / n, 1e-3);
        }
    }

    @Test
    void unknownDataSaysWhatToPass() {
        ModelException e = assertThrows(ModelException.class, () -> Datasets.load("no-such-thing", 0.2, 1));
        assertTrue(e.getMessage().contains("mnist"), e.getMessage());
    }

    private static void writeNpy(Path p, String descr, String shape, byte[] data) throws IOException {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        Files.write(p, b.array());
    }

    private static byte[] floatBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] longBytes(long[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long f : v) {
            b.putLong(f);
        }
        return b.array();
    }

    private static byte[] intBytes(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int f : v) {
            b.putInt(f);
        }
        return b.array();
    }
}
