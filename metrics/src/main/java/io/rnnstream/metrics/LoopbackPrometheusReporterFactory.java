package io.rnnstream.metrics;

import java.util.Properties;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.prometheus.LoopbackPrometheusReporter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Flink's Prometheus reporter (same series, names and labels as
 * {@code org.apache.flink.metrics.prometheus.PrometheusReporterFactory}) on one address. Flink 2.2's
 * reporter binds every interface and takes no host; everything rnnstream starts on this machine
 * listens on loopback only. Configured as any reporter:
 *
 * <pre>
 * metrics.reporter.prom.factory.class: io.rnnstream.metrics.LoopbackPrometheusReporterFactory
 * metrics.reporter.prom.port: 9249-9260   # one port, or a range: each process takes the first free one
 * metrics.reporter.prom.host: 127.0.0.1   # the default
 * </pre>
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {
    /** This class's name, for {@code metrics.reporter.NAME.factory.class}. */
    public static final String FACTORY_CLASS = LoopbackPrometheusReporterFactory.class.getName();
    public static final String ARG_PORT = "port";
    public static final String ARG_HOST = "host";
    public static final String DEFAULT_PORT = "9249";
    public static final String DEFAULT_HOST = "127.0.0.1";

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        MetricConfig config = (MetricConfig) properties;
        return new LoopbackPrometheusReporter(config.getString(ARG_HOST, DEFAULT_HOST),
                new PortRange(config.getString(ARG_PORT, DEFAULT_PORT)));
    }
}
