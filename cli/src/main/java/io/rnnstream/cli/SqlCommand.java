package io.rnnstream.cli;

import io.rnnstream.job.LocalFlink;
import io.rnnstream.sql.SqlScript;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnstream sql -f job.sql}: a SQL script on the embedded Flink, with RNN_CLASSIFY and the provider. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Runs a Flink SQL script on an embedded Flink (127.0.0.1 only) with RNN_CLASSIFY registered"
                + " and the 'rnnstream' model provider (CREATE MODEL … WITH ('provider' = 'rnnstream', 'path' = …))"
                + " available. Queries print their rows; INSERTs and statement sets run as jobs, and the command"
                + " returns when every job has finished (Ctrl-C stops unbounded ones). See docs/SQL.md."})
public class SqlCommand extends BaseCommand {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The script: statements separated by ';' (SET, CREATE TABLE/VIEW/MODEL, INSERT, SELECT,"
                    + " EXECUTE STATEMENT SET BEGIN … END).")
    Path file;

    @Option(names = "--parallelism", defaultValue = "1", description = "Parallel subtasks (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backend", defaultValue = "hashmap", paramLabel = "hashmap|rocksdb",
            description = "Where keyed state lives (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            converter = StreamCommand.DurationConverter.class,
            description = "Checkpoint interval: exactly-once sinks commit at each checkpoint (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints go (default: a new temporary directory).")
    Path checkpointDir;

    @Option(names = "--web-ui-port", defaultValue = "-1", paramLabel = "PORT",
            description = "Serve Flink's web UI on 127.0.0.1:PORT (default: no web UI).")
    int webUiPort;

    @Override
    protected int run() throws Exception {
        PrintWriter out = out();
        List<String> statements = SqlScript.split(Files.readString(file));
        Path checkpoints = checkpointDir != null ? checkpointDir : Files.createTempDirectory("rnnstream-sql-checkpoints");
        StreamExecutionEnvironment env = LocalFlink.environment(parallelism, stateBackend.toLowerCase(Locale.ROOT),
                checkpoints, checkpointInterval, webUiPort);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        SqlScript.register(t);
        List<JobClient> jobs = new ArrayList<>();
        for (String statement : statements) {
            if (SqlScript.applySet(t, statement)) {
                // A client statement (executeSql refuses it): the table configuration, as the SQL Client does.
                continue;
            }
            TableResult r = t.executeSql(statement);
            if (SqlScript.isDml(statement)) {
                r.getJobClient().ifPresent(j -> {
                    jobs.add(j);
                    err().println("job " + j.getJobID() + " started");
                });
            } else if (r.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                out.flush();
                r.print();
            }
        }
        err().flush();
        for (JobClient j : jobs) {
            j.getJobExecutionResult().get();
            err().println("job " + j.getJobID() + " finished");
        }
        return 0;
    }
}
