package io.rnnstream.sql;

import io.rnnstream.connectors.Event;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.Pipeline;
import io.rnnstream.job.StreamOptions;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The SQL path against the DataStream path in the same JVM, alternating, at parallelism 1 on the heap
 * backend: the same generated events (K keys, 28-step sequences in step order) through RNN_CLASSIFY into
 * a blackhole table, and through {@link Pipeline} into a discarding sink. Not a test (it measures):
 * {@code java -cp … io.rnnstream.sql.SqlThroughput [events] [keys] [rounds]}, see docs/SQL.md.
 */
public final class SqlThroughput {
    static final Path MODEL = Path.of("../models/mnist-simplernn.rnns").toAbsolutePath();
    static final int T = 28;

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        if (args.length > 3 && args[3].equals("sql-only")) {
            // For a profiler: the SQL path alone.
            for (int r = 0; r < rounds; r++) {
                System.out.printf("round %d: SQL %.0f events/s%n", r + 1, sql(n, keys));
            }
            return;
        }
        for (int r = 0; r < rounds; r++) {
            double ds = dataStream(n, keys);
            double sql = sql(n, keys);
            System.out.printf("round %d: DataStream %.0f events/s, SQL %.0f events/s, SQL/DataStream %.2f%n", r + 1,
                    ds, sql, sql / ds);
        }
    }

    static float[] features(long i) {
        float[] x = new float[28];
        for (int j = 0; j < x.length; j++) {
            x[j] = ((i * 31 + j * 7) % 97) / 97f;
        }
        return x;
    }

    static StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.getConfig().enableObjectReuse();
        return env;
    }

    static double dataStream(long n, int keys) throws Exception {
        StreamExecutionEnvironment env = env();
        var events = env.fromSequence(0, n - 1).map(i -> {
            int step = (int) ((i / keys) % T);
            return new Event("k" + (i % keys), step, Event.NO_TS, features(i), step == T - 1);
        }, TypeInformation.of(Event.class));
        Pipeline p = Pipeline.builder().model(ModelProvider.file(MODEL)).options(StreamOptions.defaults())
                .events(events).build();
        p.outputs().sinkTo(new DiscardingSink<>());
        long t0 = System.nanoTime();
        env.execute("datastream");
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static double sql(long n, int keys) throws Exception {
        StreamExecutionEnvironment env = env();
        TypeInformation<Row> type = new RowTypeInfo(new TypeInformation<?>[] {Types.STRING, Types.INT,
            Types.OBJECT_ARRAY(Types.FLOAT), Types.BOOLEAN}, new String[] {"key", "step", "features", "end"});
        var rows = env.fromSequence(0, n - 1).map(i -> {
            int step = (int) ((i / keys) % T);
            float[] x = features(i);
            Float[] boxed = new Float[x.length];
            for (int j = 0; j < x.length; j++) {
                boxed[j] = x[j];
            }
            return Row.of("k" + (i % keys), step, boxed, step == T - 1);
        }, type);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        SqlScript.register(t);
        t.createTemporaryView("events", t.fromDataStream(rows));
        t.executeSql("CREATE TABLE sink (`key` STRING, step INT, output ARRAY<FLOAT>, label STRING, `final` BOOLEAN)"
                + " WITH ('connector' = 'blackhole')");
        long t0 = System.nanoTime();
        t.executeSql("INSERT INTO sink SELECT `key`, step, output, label, `final` FROM RNN_CLASSIFY(input => TABLE"
                + " events PARTITION BY `key`, model => '" + MODEL + "', uid => 'rnn')").await();
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
