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

    @Option(names = "--sasl", description = "Clients authenticate (SASL/SCRAM-SHA-512) and need ACLs: a super user"
            + " '" + LocalKafkaBroker.ADMIN_USER + "' and a job user '" + LocalKafkaBroker.JOB_USER + "' that may"
            + " create, read and write any topic, commit offsets in any group and run transactions, but not administer the"
            + " broker. Their client settings go to owner-only files in --dir; a --dir formatted with --sasl always"
            + " needs it.")
    boolean sasl;

    @Override
    protected int run() throws Exception {
        err().println("starting Kafka in " + dir.toAbsolutePath() + " …");
        LocalKafkaBroker.Builder b = LocalKafkaBroker.at(dir).port(port).startTimeout(startTimeout);
        if (sasl) {
            b.saslScram();
        }
        LocalKafkaBroker started;
        try {
            started = b.start();
        } catch (LocalKafkaBroker.WrongModeException e) {
            throw new io.rnnstream.model.ModelException(e.getMessage(), e);
        }
        try (LocalKafkaBroker broker = started) {
            out().println("bootstrap servers: " + broker.bootstrapServers());
            if (sasl) {
                broker.grant(LocalKafkaBroker.JobAccess.forUser(LocalKafkaBroker.JOB_USER)
                        .read("*").write("*").create("*").group("*").transactionalIdPrefix("*"));
                // Paths only: the files hold the passwords, and this output may end up in a log.
                out().println("job client properties (user " + LocalKafkaBroker.JOB_USER + "): "
                        + broker.jobPropertiesFile() + "  (rnnstream stream --kafka-properties-file "
                        + broker.jobPropertiesFile() + ")");
                out().println("admin client properties (user " + LocalKafkaBroker.ADMIN_USER + ", super user): "
                        + broker.adminPropertiesFile());
            }
            out().println("logs: " + broker.dir().resolve("broker.log"));
            out().println("press Ctrl-C to stop");
            out().flush();
            int code = broker.waitFor();
            err().println("the broker exited with code " + code + "; see " + broker.dir().resolve("broker.log"));
            return code == 0 ? 0 : 1;
        }
    }
}
