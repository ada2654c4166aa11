package io.rnnstream.cli;

import io.rnnstream.connectors.kafka.LocalKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Starts a real single-node Kafka broker (KRaft) from Kafka's own jars on 127.0.0.1, prints its"
                + " bootstrap address and runs until Ctrl-C, which stops it cleanly.")
public final class KafkaCommand extends BaseCommand {
    @Option(names = "--dir", description = "Where the broker keeps its data and logs (default: ${DEFAULT-VALUE}).",
            defaultValue = ".rnnstream/kafka")
    Path dir;

    @Option(names = "--port", description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).",
            defaultValue = "9092")
    int port;

    @Option(names = "--start-timeout", description = "How long to wait for the broker to come up (default: ${DEFAULT-VALUE}).",
            defaultValue = "60s", converter = StreamCommand.DurationConverter.class)
    Duration startTimeout;

    @Override
    protected int run() throws Exception {
        err().println("starting Kafka in " + dir.toAbsolutePath() + " …");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir, port, startTimeout)) {
            out().println("bootstrap servers: " + broker.bootstrapServers());
            out().println("logs: " + broker.dir().resolve("broker.log"));
            out().println("press Ctrl-C to stop");
            out().flush();
            int code = broker.waitFor();
            err().println("the broker exited with code " + code + "; see " + broker.dir().resolve("broker.log"));
            return code == 0 ? 0 : 1;
        }
    }
}
