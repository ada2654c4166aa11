package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.WireFormat;
import io.rnnstream.job.swap.SwapPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

/** The job jar's options: the same names and the same mapping to settings as the CLI's {@code stream}. */
class JobOptionsTest {
    @Test
    void everyOptionReachesItsSetting() throws Exception {
        JobOptions o = JobOptions.parse(new String[] {"--model", "m.rnns", "--bootstrap-servers", "127.0.0.1:9092",
                "--input-topic", "in", "--output-topic=out", "--dlq-topic", "dlq", "--group-id", "g",
                "--starting-offsets", "earliest", "--kafka-property", "linger.ms=1", "--kafka-property",
                "acks=all", "--idle-timeout", "30s", "--sequence-length", "28", "--decide-at-confidence", "0.9",
                "--emit-hidden", "--bounded=false", "--max-buffered-steps", "8", "--state-ttl", "5m",
                "--max-out-of-orderness", "200ms", "--swap-policy", "switch-reset", "--delivery", "at-least-once",
                "--format", "avro", "--checkpoint-interval", "250ms", "--parallelism", "2", "--job-name", "j",
                "--step-bundle", "8", "--step-bundle-wait", "3ms"});
        assertEquals(Path.of("m.rnns"), o.model);
        assertEquals(List.of("linger.ms=1", "acks=all"), o.kafkaProperty);
        assertEquals(Duration.ofMillis(250), o.checkpointInterval);
        assertEquals(2, o.parallelism);
        StreamOptions s = o.streamOptions();
        assertEquals(Duration.ofSeconds(30), s.idleTimeout());
        assertEquals(28, s.sequenceLength());
        assertEquals(0.9, s.decideAtConfidence());
        assertTrue(s.emitHidden());
        assertEquals(8, s.maxBufferedSteps());
        assertEquals(Duration.ofMillis(200), s.maxOutOfOrderness());
        assertEquals(SwapPolicy.SWITCH_RESET, s.swapPolicy());
        assertEquals(8, s.stepBundle());
        assertEquals(Duration.ofMillis(3), s.stepBundleWait());
        KafkaJob.Settings k = o.kafkaSettings();
        assertEquals("out", k.outputTopic());
        assertEquals("g", k.groupId());
        assertEquals("1", k.kafkaProperties().getProperty("linger.ms"));
        assertEquals(DeliveryGuarantee.AT_LEAST_ONCE, k.delivery());
        assertEquals(WireFormat.AVRO, k.format());
        assertTrue(!k.bounded());
    }

    @Test
    void mistakesSayWhatToDo() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.parse(new String[] {"--idle-timout", "3s"}));
        assertTrue(unknown.getMessage().startsWith("unknown argument '--idle-timout'; the job takes --model, "),
                unknown.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobOptions.parse(new String[] {"--parallelism",
                "two"})).getMessage().contains("--parallelism takes a whole number, not 'two'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobOptions.parse(new String[] {"--idle-timeout"}))
                .getMessage().contains("--idle-timeout needs a value"));
        assertEquals("missing --dlq-topic", assertThrows(IllegalArgumentException.class,
                () -> JobOptions.parse(new String[] {"--bootstrap-servers", "h:1", "--input-topic", "i",
                        "--output-topic", "o"}).kafkaSettings()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobOptions.parse(new String[] {"--delivery",
                "twice"}).kafkaSettings()).getMessage().contains("--delivery must be exactly-once or at-least-once"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobOptions.parse(new String[] {
            "--bootstrap-servers", "h:1", "--input-topic", "i", "--output-topic", "o", "--dlq-topic", "d", "--format",
            "protobuf"}).kafkaSettings()).getMessage().contains("--format must be json or avro, not 'protobuf'"));
    }

    @Test
    void thePipelineBuilderRefusesWhatCannotRun() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pipeline.builder().build()).getMessage()
                .startsWith("the pipeline needs a model"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pipeline.builder()
                .model(() -> TestModels.simpleRnn(1)).build()).getMessage().startsWith("give the pipeline one input"));
    }
}
