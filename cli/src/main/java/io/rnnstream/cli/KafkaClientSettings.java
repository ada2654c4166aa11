package io.rnnstream.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** {@code --kafka-properties-file} and {@code --kafka-property}, as every command that talks to Kafka takes them. */
final class KafkaClientSettings {
    private KafkaClientSettings() {}

    /** The file's properties, then each KEY=VALUE over them; a warning on {@code err} for each secret among the latter. */
    static Properties load(Path file, List<String> keyValues, PrintWriter err) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka-property takes key=value, not '" + kv + "'");
            }
            p.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        warnOfSecrets(keyValues, err);
        return p;
    }

    /** A secret in an argument is in the process list for every local user to read, and in shell history. */
    static void warnOfSecrets(List<String> keyValues, PrintWriter err) {
        for (String kv : keyValues) {
            String key = kv.substring(0, Math.max(0, kv.indexOf('='))).trim().toLowerCase(Locale.ROOT);
            if (key.contains("jaas") || key.contains("password") || key.contains("secret")
                    || key.startsWith("ssl.") && key.contains("key")) {
                err.println("WARNING: --kafka-property " + key + " puts a secret on the command line, where other"
                        + " users of this machine can read it; put it in --kafka-properties-file (owner-only) instead");
            }
        }
        err.flush();
    }
}
