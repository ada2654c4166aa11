package io.rnnstream.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * A SQL script as a Flink program: the SQL jar's entry point for clusters without a SQL Client or
 * Gateway ({@code flink run -c io.rnnstream.sql.SqlJob rnnstream-sql-*-sql.jar job.sql}, or the REST
 * API's jar upload and run). RNN_CLASSIFY is registered, the 'rnnstream' provider is found through the
 * jar's service file, and the script's statements run in order on the cluster's environment ({@code SET
 * 'key' = 'value'} as the SQL Client runs it: into the table configuration); its
 * INSERTs (or one statement set) start the job. The table stack is the cluster's (a distribution's
 * lib/ has it), as for any SQL job.
 */
public final class SqlJob {
    private SqlJob() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SqlJob SCRIPT.sql (a path readable where the program runs)");
        }
        Path script = Path.of(args[0]);
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("SqlJob: no SQL script at " + script.toAbsolutePath());
        }
        // Streaming mode: RNN_CLASSIFY is a process table function, which runs in streaming mode only. The
        // planner's executor takes the environment the cluster's client (flink run, REST) put in context.
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        SqlScript.register(t);
        for (String statement : SqlScript.split(Files.readString(script))) {
            if (!SqlScript.applySet(t, statement)) {
                t.executeSql(statement);
            }
        }
    }
}
