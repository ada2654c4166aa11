package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.Event;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's own checks; sending through a broker is covered by the job's KafkaModelSwapTest format. */
class PublishModelCommandTest {
    @TempDir
    Path dir;

    @Test
    void effectiveTimeIsEpochMillisOrAnInstant() {
        assertEquals(Event.NO_TS, PublishModelCommand.parseEffectiveTs(null));
        assertEquals(1700000000000L, PublishModelCommand.parseEffectiveTs("1700000000000"));
        assertEquals(1700000000000L, PublishModelCommand.parseEffectiveTs("2023-11-14T22:13:20Z"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PublishModelCommand.parseEffectiveTs("tomorrow"));
        assertTrue(e.getMessage().contains("ISO-8601"), e.getMessage());
    }

    @Test
    void aMissingModelIsOneLineAndNothingIsSent() {
        RnnstreamTest.Run r = RnnstreamTest.run("publish-model", dir.resolve("nope.rnns").toString(),
                "--bootstrap-servers", "127.0.0.1:1", "--topic", "models");
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().startsWith("error: model file not found"), r.err());
        RnnstreamTest.Run usage = RnnstreamTest.run("publish-model", "m.rnns", "--topic", "models");
        assertEquals(2, usage.rc());
        assertTrue(usage.err().contains("--bootstrap-servers"), usage.err());
    }
}
