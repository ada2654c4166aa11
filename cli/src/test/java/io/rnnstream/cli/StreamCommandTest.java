package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StreamCommandTest {
    @Test
    void durations() {
        var c = new StreamCommand.DurationConverter();
        assertEquals(Duration.ofSeconds(30), c.convert("30s"));
        assertEquals(Duration.ofMillis(500), c.convert("500ms"));
        assertEquals(Duration.ofMinutes(5), c.convert("5m"));
        assertEquals(Duration.ofHours(1), c.convert("1h"));
        assertEquals(Duration.ofSeconds(90), c.convert("PT1M30S"));
        assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("soon"));
    }

    @Test
    void aMissingModelIsAOneLineError() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new StreamCommand());
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("--model", "no-such-model.h5", "--input-file", "in.jsonl", "--output-file", "o.jsonl",
                "--dlq-file", "d.jsonl");
        assertEquals(1, rc);
        assertTrue(err.toString().startsWith("error: model file not found"), err.toString());
    }

    @Test
    void theFormatReachesTheJobAndAvroNeedsKafka(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        StreamCommand c = new StreamCommand();
        new CommandLine(c).parseArgs("--model", "m.rnns", "--bootstrap-servers", "h:1", "--format", "avro");
        assertEquals("avro", c.jobOptions().format);
        java.nio.file.Path model = dir.resolve("m.rnns");
        io.rnnstream.model.ModelFile.write(RnnstreamTest.mnistModel(), model);
        RnnstreamTest.Run r = RnnstreamTest.run("stream", "--model", model.toString(), "--format", "avro",
                "--input-file", "in.jsonl", "--output-file", "o.jsonl", "--dlq-file", "d.jsonl");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("error: --format avro needs Kafka (--bootstrap-servers …): files are lines of"
                + " JSON"), r.err());
    }

    /** --metrics-port is off unless asked for, and a port already taken is a one-line error before Flink starts. */
    @Test
    void aMetricsPortInUseIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertEquals("-1", new CommandLine(new StreamCommand()).getCommandSpec().findOption("--metrics-port")
                .defaultValue());
        assertEquals("-1", new CommandLine(new DemoCommand()).getCommandSpec().findOption("--metrics-port")
                .defaultValue());
        java.nio.file.Path model = dir.resolve("m.rnns");
        io.rnnstream.model.ModelFile.write(RnnstreamTest.mnistModel(), model);
        java.nio.file.Path in = java.nio.file.Files.writeString(dir.resolve("in.jsonl"), "");
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            RnnstreamTest.Run r = RnnstreamTest.run("stream", "--model", model.toString(), "--input-file",
                    in.toString(), "--output-file", dir.resolve("o.jsonl").toString(), "--dlq-file",
                    dir.resolve("d.jsonl").toString(), "--metrics-port", Integer.toString(port));
            assertEquals(1, r.rc());
            assertTrue(r.err().startsWith("error: --metrics-port " + port + ": 127.0.0.1:" + port + " is in use"),
                    r.err());
        }
    }

    /**
     * One checkpoint interval default (docs/KAFKA.md): stream, demo and the Kubernetes manifest; the job
     * jar's is KafkaJob.DEFAULT_CHECKPOINT_INTERVAL, also 1 s.
     */
    @Test
    void oneCheckpointIntervalDefault() throws Exception {
        String stream = new CommandLine(new StreamCommand()).getCommandSpec().findOption("--checkpoint-interval")
                .defaultValue();
        String demo = new CommandLine(new DemoCommand()).getCommandSpec().findOption("--checkpoint-interval")
                .defaultValue();
        assertEquals("1s", stream);
        assertEquals(stream, demo);
        java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("user.dir")).getParent();
        String manifest = java.nio.file.Files.readString(root.resolve("deploy/k8s/flinkdeployment.yaml"));
        assertTrue(manifest.matches("(?s).*- --checkpoint-interval\\s+- 1s\\s.*"), "the manifest's --checkpoint-interval");
        assertTrue(java.nio.file.Files.readString(root.resolve("docs/KAFKA.md")).contains("(`--checkpoint-interval`,"
                + " default 1 s)"), "docs/KAFKA.md");
    }
}
