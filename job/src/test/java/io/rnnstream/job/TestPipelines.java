package io.rnnstream.job;

import io.rnnstream.connectors.FileConnectors;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The file job's wiring for tests: a JSON-lines file in, committed part files out. */
public final class TestPipelines {
    private TestPipelines() {}

    /** Adds file source → {@code pipeline} → part files under {@code outDir} and {@code dlqDir} to {@code env}. */
    public static Pipeline files(StreamExecutionEnvironment env, Path in, Path outDir, Path dlqDir,
            Pipeline.Builder pipeline) {
        DataStream<String> lines = env.fromSource(FileConnectors.lines(in), WatermarkStrategy.noWatermarks(), "source")
                .uid("rnnstream-source");
        return pipeline.records(Pipeline.lines(lines))
                .outputSink(FileConnectors.payloadSink(outDir))
                .deadLetterSink(FileConnectors.payloadSink(dlqDir))
                .build();
    }
}
