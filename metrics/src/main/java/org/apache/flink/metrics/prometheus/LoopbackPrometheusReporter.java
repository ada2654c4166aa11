package org.apache.flink.metrics.prometheus;

import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import org.apache.flink.util.PortRange;

/**
 * {@link PrometheusReporter} with a bind address. In Flink's package only because the collector
 * registry that the base class fills is package-private: the metric naming, the labels and the
 * histogram-as-summary mapping all stay Flink's own, and a Flink upgrade that moves the field fails
 * this build rather than a scrape. Made by {@code io.rnnstream.metrics.LoopbackPrometheusReporterFactory}.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer httpServer;
    private final int port;

    public LoopbackPrometheusReporter(String host, PortRange ports) {
        HTTPServer server = null;
        int bound = -1;
        IOException last = null;
        for (Iterator<Integer> it = ports.getPortsIterator(); it.hasNext() && server == null; ) {
            int p = it.next();
            try {
                server = new HTTPServer(new InetSocketAddress(host, p), registry, true);
                bound = server.getPort();
            } catch (IOException e) {
                last = e;
            }
        }
        if (server == null) {
            throw new RuntimeException("could not start the Prometheus reporter on " + host + ", port " + ports
                    + ": every port is in use", last);
        }
        this.httpServer = server;
        this.port = bound;
        log.info("Started the Prometheus reporter on http://{}:{}/metrics", host, port);
    }

    /** The port it listens on (the first free one of the range). */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        httpServer.stop();
        super.close();
    }
}
