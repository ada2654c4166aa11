package io.rnnstream.bench.harness;

import static org.apache.flink.table.api.Expressions.$;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.EventTypeInfo;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.sql.SqlScript;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * {@code sql}: the SQL path (issue 17) as a bench stage, so that {@code ./rnnstream bench --stages
 * rnnstream,sql} compares it with the DataStream path on one generator, backend and sink. The events
 * become a table (Flink's own POJO-to-row conversion: what a SQL source's format does), go through
 * {@code RNN_CLASSIFY(input => TABLE events PARTITION BY key, …)}, and its rows come back as
 * {@link OutputRecord}s for the measuring sink. Both conversions are costs a SQL job pays in some form
 * (a format decodes rows, a sink encodes them); the DataStream stage gets its events as objects.
 */
final class SqlStage implements BenchStage {
    private static final String SELECT = "SELECT `key`, step, output, label_index, `final`, decision, model, reason,"
            + " error FROM RNN_CLASSIFY(input => TABLE events PARTITION BY `key`, model => '%s', uid => 'rnn',"
            + " sequence_length => %d)";

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
            StreamOptions opts) {
        StreamTableEnvironment t = StreamTableEnvironment.create(events.getExecutionEnvironment());
        SqlScript.register(t);
        // A table needs the events' fields: the generator's wire type (EventTypeInfo) is opaque to the planner,
        // so its events become POJOs first (a chained identity map; object reuse makes it a hand-over).
        DataStream<Event> pojos = events;
        if (events.getType() instanceof EventTypeInfo) {
            pojos = events.map(e -> e, TypeInformation.of(Event.class)).name("to-pojo");
        }
        Table in = t.fromDataStream(pojos).select($("key"), $("step"), $("features"), $("end"));
        t.createTemporaryView("events", in);
        Table out = t.sqlQuery(String.format(SELECT, modelFile(model), opts.sequenceLength()));
        return t.toDataStream(out).map(SqlStage::record, TypeInformation.of(OutputRecord.class)).name("to-output");
    }

    /** RNN_CLASSIFY takes a model by path: the provider's model, written where the job can read it. */
    private static String modelFile(ModelProvider model) {
        try {
            Model m = model.get();
            Path dir = Files.createTempDirectory("rnnstream-bench-sql");
            Path file = dir.resolve("model" + ModelFile.EXTENSION);
            ModelFile.write(m, file);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file.toString().replace("'", "''");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the bench's model could not be loaded: " + e.getMessage(), e);
        }
    }

    private static OutputRecord record(Row row) {
        String error = (String) row.getField("error");
        if (error != null) {
            // The harness counts one output per event: an error row means the generator or the stage is wrong.
            throw new IllegalStateException("RNN_CLASSIFY refused a bench row: " + error);
        }
        OutputRecord r = new OutputRecord();
        r.key = (String) row.getField("key");
        r.step = (Integer) row.getField("step");
        Float[] out = (Float[]) row.getField("output");
        r.output = new float[out.length];
        for (int i = 0; i < out.length; i++) {
            r.output[i] = out[i];
        }
        Integer label = (Integer) row.getField("label_index");
        r.labelIndex = label == null ? OutputRecord.NO_LABEL : label;
        r.last = Boolean.TRUE.equals(row.getField("final"));
        r.decision = Boolean.TRUE.equals(row.getField("decision"));
        r.model = (String) row.getField("model");
        r.reason = (String) row.getField("reason");
        return r;
    }

    @Override
    public StateSize stateSize(Model model) {
        // The PTF keeps the job's SequenceMeta as a structured type in Flink's row format; its size is the
        // DataStream stage's within a few bytes of row header, so that value stands for it here.
        StateSize s = BenchStage.rnnstream().stateSize(model);
        return new StateSize(s.valueBytes(), s.rawFloatBytes(), "as rnnstream's (the PTF's row format not measured)");
    }
}
