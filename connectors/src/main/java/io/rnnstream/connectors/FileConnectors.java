package io.rnnstream.connectors;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;

/**
 * JSON-lines files in and out.
 *
 * <p>A Flink {@link FileSink} writes a directory of part files and makes them visible only when a
 * checkpoint commits them (that is what makes it exactly-once across restarts). A user who asks for
 * {@code out.jsonl} wants that one file, so the CLI writes into a directory beside it and
 * {@link #concatenateParts concatenates} the committed parts when the job has finished.
 */
public final class FileConnectors {
    private FileConnectors() {}

    /** A bounded source of the file's lines (a directory: every file in it). */
    public static FileSource<String> lines(java.nio.file.Path input) {
        return FileSource.forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(input.toUri())).build();
    }

    /** An exactly-once sink of lines into part files under {@code dir} (committed on checkpoints). */
    public static FileSink<String> lineSink(java.nio.file.Path dir) {
        return FileSink.forRowFormat(new org.apache.flink.core.fs.Path(dir.toUri()), new SimpleStringEncoder<String>("UTF-8")).build();
    }

    /** The same for records: each record's payload as one line (the key is in the payload's JSON). */
    public static FileSink<KeyedPayload> payloadSink(java.nio.file.Path dir) {
        return FileSink.<KeyedPayload>forRowFormat(new org.apache.flink.core.fs.Path(dir.toUri()), (r, out) -> {
            out.write(r.bytes());
            out.write('\n');
        }).build();
    }

    /**
     * The committed part files under {@code dir}, in name order; in-progress and pending files (whose
     * names start with a dot) are left out: they hold records a checkpoint never committed.
     */
    public static List<java.nio.file.Path> committedParts(java.nio.file.Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        for (int attempt = 1; ; attempt++) {
            try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
                List<java.nio.file.Path> parts = new ArrayList<>();
                s.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted(Comparator.comparing(java.nio.file.Path::toString))
                        .forEach(parts::add);
                return parts;
            } catch (IOException | UncheckedIOException e) {
                // A running sink renames its in-progress files as it commits them: one that vanished
                // between listing and reading is a race with the sink, so look again.
                boolean vanished = e instanceof java.nio.file.NoSuchFileException
                        || e.getCause() instanceof java.nio.file.NoSuchFileException;
                if (!vanished || attempt >= 20) {
                    throw e instanceof UncheckedIOException u ? u : new UncheckedIOException((IOException) e);
                }
            }
        }
    }

    /** Writes every committed part under {@code dir} into {@code target}, then deletes {@code dir}. */
    public static void concatenateParts(java.nio.file.Path dir, java.nio.file.Path target) {
        try {
            java.nio.file.Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream out = Files.newOutputStream(target)) {
                for (java.nio.file.Path part : committedParts(dir)) {
                    Files.copy(part, out);
                }
            }
            deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Lines of every committed part under {@code dir}. */
    public static List<String> readCommittedLines(java.nio.file.Path dir) {
        List<String> lines = new ArrayList<>();
        for (java.nio.file.Path part : committedParts(dir)) {
            try {
                lines.addAll(Files.readAllLines(part));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    public static void deleteTree(java.nio.file.Path dir) throws IOException {
        // Flink may still be cleaning up its own checkpoint files when a job has just finished, so
        // a file can vanish under the walk: that is fine, it is what we wanted. Try a few times.
        for (int attempt = 0; Files.exists(dir); attempt++) {
            try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
                for (java.nio.file.Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException raced) {
                if (attempt >= 5) {
                    throw raced;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw raced;
                }
            } catch (java.io.UncheckedIOException raced) {
                if (attempt >= 5) {
                    throw raced.getCause();
                }
            }
        }
    }
}
