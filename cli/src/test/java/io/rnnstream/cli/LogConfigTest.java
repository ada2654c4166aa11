package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's log4j2.properties: what it keeps out of the log file. */
class LogConfigTest {
    /** The logger Flink's AbstractMetricGroup writes to (it takes the interface's name). */
    static final String METRIC_GROUP = "org.apache.flink.metrics.MetricGroup";

    static Filter.Result filter(Configuration c, String logger, String message) {
        LoggerConfig lc = c.getLoggerConfig(logger);
        LogEvent e = Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.WARN)
                .setMessage(new SimpleMessage(message)).build();
        return lc.getFilter() == null ? Filter.Result.NEUTRAL : lc.getFilter().filter(e);
    }

    @Test
    void theKafkaSinksGaugeCollisionAtEveryCheckpointIsLeftOutButOtherCollisionsAreNot(@TempDir Path tmp)
            throws Exception {
        Configuration c;
        String before = System.getProperty("rnnstream.log.file");
        // The configuration's file appender opens its file: not the one a CLI run writes.
        System.setProperty("rnnstream.log.file", tmp.resolve("test.log").toString());
        try (InputStream in = getClass().getResourceAsStream("/log4j2.properties")) {
            c = new PropertiesConfigurationFactory().getConfiguration(new LoggerContext("test"),
                    new ConfigurationSource(in));
            c.initialize();
        } finally {
            if (before == null) {
                System.clearProperty("rnnstream.log.file");
            } else {
                System.setProperty("rnnstream.log.file", before);
            }
        }
        // The line Flink logs, verbatim but for the ids, at each exactly-once checkpoint of each sink.
        assertEquals(Filter.Result.DENY, filter(c, METRIC_GROUP, "Name collision: Group already contains a Metric"
                + " with the name 'currentSendTime'. Metric will not be reported.[, taskmanager, f5ca26d5, job,"
                + " sink-outputs: Writer, 0]"));
        assertEquals(Filter.Result.DENY, filter(c, METRIC_GROUP, "Name collision: Group already contains a Metric"
                + " with the name 'pendingCommittables'. Metric will not be reported.[, taskmanager, f5ca26d5, job,"
                + " sink-outputs: Committer, 0]"));
        assertEquals(Filter.Result.NEUTRAL, filter(c, METRIC_GROUP, "Name collision: Group already contains a Metric"
                + " with the name 'linesIn'. Metric will not be reported.[, taskmanager, f5ca26d5, job, parse, 0]"));
    }
}
