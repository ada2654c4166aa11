package io.rnnstream.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the CLI starts binds to 127.0.0.1; the one way to bind wider is a Flink option given through
 * (bench's {@code -D}). Those get a warning line each, so that nobody exposes a web UI that submits and
 * cancels jobs, or Flink's RPC, without reading that they did.
 */
final class Binding {
    private Binding() {}

    /** One "WARNING: …" line per option that binds or advertises an address other than loopback. */
    static List<String> warnings(Map<String, String> flinkConf, String option) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> e : flinkConf.entrySet()) {
            String key = e.getKey().trim().toLowerCase(Locale.ROOT);
            String value = e.getValue() == null ? "" : e.getValue().trim();
            boolean address = key.endsWith("bind-address") || key.endsWith("bind-host") || key.equals("rest.address")
                    || key.equals("jobmanager.rpc.address") || key.equals("taskmanager.host");
            if (address && !loopback(value)) {
                lines.add("WARNING: " + option + " " + e.getKey() + "=" + value + " makes Flink listen beyond this"
                        + " machine (everything else binds 127.0.0.1): whoever reaches " + value
                        + " can use its web UI and REST API, which run and cancel jobs, with no password");
            }
        }
        return lines;
    }

    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("127.") || h.equals("localhost") || h.equals("::1") || h.equals("[::1]");
    }
}
