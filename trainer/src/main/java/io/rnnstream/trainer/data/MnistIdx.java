package io.rnnstream.trainer.data;

import io.rnnstream.model.ModelException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST in LeCun's IDX format (gzipped or not). Each 28×28 image becomes a sequence read row by
 * row: 28 timesteps of 28 pixels, scaled from 0..255 to [0, 1].
 */
public final class MnistIdx {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private MnistIdx() {}

    public static SequenceDataset read(Path images, Path labels) {
        try (DataInputStream img = open(images); DataInputStream lab = open(labels)) {
            int magic = img.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new ModelException(images + " is not an IDX image file (magic " + Integer.toHexString(magic)
                        + ", expected 803): pass t10k-images-idx3-ubyte(.gz)");
            }
            int n = img.readInt();
            int rows = img.readInt();
            int cols = img.readInt();
            int lmagic = lab.readInt();
            if (lmagic != LABELS_MAGIC) {
                throw new ModelException(labels + " is not an IDX label file (magic "
                        + Integer.toHexString(lmagic) + ", expected 801): pass t10k-labels-idx1-ubyte(.gz)");
            }
            int ln = lab.readInt();
            if (ln != n) {
                throw new ModelException(images + " has " + n + " images but " + labels + " has " + ln + " labels");
            }
            float[][][] x = new float[n][rows][cols];
            byte[] buf = new byte[rows * cols];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                img.readFully(buf);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        x[i][r][c] = (buf[r * cols + c] & 0xff) / 255f;
                    }
                }
                y[i] = lab.readUnsignedByte();
                if (y[i] > 9) {
                    throw new ModelException(labels + ": label " + y[i] + " at " + i + " is not a digit");
                }
            }
            List<String> names = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                names.add(Integer.toString(k));
            }
            return new SequenceDataset("mnist", x, y, names);
        } catch (IOException e) {
            throw new ModelException("cannot read MNIST from " + images + " and " + labels + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        if (p.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(in);
    }
}
