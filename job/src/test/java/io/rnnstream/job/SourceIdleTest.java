package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.connectors.SourceIdle;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source's "nothing to read now" reaches the stages chained to it, on its thread, and no others. */
class SourceIdleTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final AtomicInteger SIGNALS = new AtomicInteger();

    /** Counts the signals its thread hears while it is open. */
    static final class Listening extends RichMapFunction<Long, Long> {
        private transient AutoCloseable listener;

        @Override
        public void open(OpenContext context) {
            listener = SourceIdle.onThisThread(SIGNALS::incrementAndGet);
        }

        @Override
        public Long map(Long v) {
            return v;
        }

        @Override
        public void close() throws Exception {
            listener.close();
        }
    }

    @Test
    void aStageChainedToTheSourceHearsItRunDry() throws Exception {
        assertTrue(run(false) >= 1, "at least once: at the end of the input");
    }

    @Test
    void aStageBehindAShuffleHearsNothing() throws Exception {
        assertEquals(0, run(true));
    }

    /** A sink hears the signal after every stage, whichever registered first: what they release is then its to send. */
    @Test
    void sinksHearItAfterTheStages() throws Exception {
        java.util.List<String> heard = new java.util.ArrayList<>();
        // Flink opens a chain from its sink back to its source, so the sink registers first.
        try (AutoCloseable sink = SourceIdle.afterStagesOnThisThread(() -> heard.add("sink"));
                AutoCloseable step = SourceIdle.onThisThread(() -> heard.add("step"))) {
            SourceIdle.signalOnThisThread();
        }
        SourceIdle.signalOnThisThread();
        assertEquals(java.util.List.of("step", "sink"), heard, "in order, and nothing once undone");
    }

    @Test
    void aSourceThatCannotNameItsTypeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> SourceIdle.signalling(new Untyped()));
        assertTrue(e.getMessage().contains("ResultTypeQueryable"), e.getMessage());
    }

    /** Numbers, from a source that does not say they are Longs. */
    static final class Untyped implements Source<Long, NumberSequenceSplit, Collection<NumberSequenceSplit>> {
        private final NumberSequenceSource inner = new NumberSequenceSource(1, 10);

        @Override
        public Boundedness getBoundedness() {
            return inner.getBoundedness();
        }

        @Override
        public SourceReader<Long, NumberSequenceSplit> createReader(SourceReaderContext context) {
            return inner.createReader(context);
        }

        @Override
        public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> createEnumerator(
                SplitEnumeratorContext<NumberSequenceSplit> context) {
            return inner.createEnumerator(context);
        }

        @Override
        public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> restoreEnumerator(
                SplitEnumeratorContext<NumberSequenceSplit> context, Collection<NumberSequenceSplit> checkpoint) {
            return inner.restoreEnumerator(context, checkpoint);
        }

        @Override
        public SimpleVersionedSerializer<NumberSequenceSplit> getSplitSerializer() {
            return inner.getSplitSerializer();
        }

        @Override
        public SimpleVersionedSerializer<Collection<NumberSequenceSplit>> getEnumeratorCheckpointSerializer() {
            return inner.getEnumeratorCheckpointSerializer();
        }
    }

    private static int run(boolean shuffle) throws Exception {
        SIGNALS.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Long> numbers = env.fromSource(SourceIdle.signalling(new NumberSequenceSource(1, 1000)),
                WatermarkStrategy.noWatermarks(), "numbers");
        (shuffle ? numbers.rebalance() : numbers).map(new Listening()).sinkTo(new DiscardingSink<>());
        env.execute("source-idle");
        return SIGNALS.get();
    }
}
