package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.RecordJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The README's library example, word for word, compiles and runs (with the shipped model). */
class ReadmeExampleTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeExampleIsThisCode() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String self = Files.readString(ROOT.resolve("job/src/test/java/io/rnnstream/job/ReadmeExampleTest.java"));
        String example = self.substring(self.indexOf("// README start\n") + 16, self.lastIndexOf("        // README end"));
        for (String line : example.split("\n")) {
            assertTrue(readme.contains(line.substring(Math.min(8, line.length()))), "README lacks: " + line.trim());
        }
    }

    @Test
    void theReadmeExampleRuns() throws Exception {
        List<Event> myEvents = new ArrayList<>();
        for (int t = 0; t < 28; t++) {
            myEvents.add(new Event("digit-1", t, Event.NO_TS, new float[28], t == 27));
        }
        run(myEvents, ROOT.resolve("models/mnist-simplernn.rnns"));
    }

    private static void run(List<Event> myEvents, Path modelPath) throws Exception {
        // README start
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Event> events = env.fromData(myEvents, TypeInformation.of(Event.class));
        Pipeline p = Pipeline.builder()
                .model(ModelProvider.file(modelPath))
                .options(StreamOptions.defaults().idleTimeout(Duration.ofSeconds(30)).decideAtPrecision(0.95))
                .events(events)
                .build();
        p.outputs().map(RecordJson::output, Types.STRING).print();        // one JSON line per applied event
        p.deadLetters().map(RecordJson::deadLetter, Types.STRING).print(); // every event it could not apply, and why
        env.execute("rnnstream");
        // README end
    }
}
