package io.rnnstream.connectors.kafka;

import io.rnnstream.connectors.SourceIdle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flink-connector-kafka's {@link KafkaSink}, whose writers do not throw from {@code close()} when the
 * broker cannot be reached.
 *
 * <p>Why: when a sink writer fails during a long broker outage (its records expired), Flink cancels
 * the task and closes the writer; the exactly-once writer (5.0.0-2.2) then aborts its open
 * transaction, which waits {@code max.block.ms} for the absent broker and throws a
 * {@code TimeoutException}. Flink 2.2 treats an exception thrown while it handles a task's failure as
 * fatal and stops the whole TaskManager; the embedded Flink of {@code rnnstream stream} has only one
 * and never starts another, and on a cluster nothing restarts the process, so the job never recovers
 * (docs/RELIABILITY.md, "Broker outage"). Skipping that abort loses nothing: the writer has closed its
 * producers already (the connector closes every resource before rethrowing), and the transaction it
 * leaves open is aborted by the restarted job's writer, which fences the same transactional ids, or by
 * the broker at {@code transaction.timeout.ms}. Everything else is the connector's own: the same writer
 * state and committables and their serializers, so savepoints and the operators' uids are unchanged.
 *
 * <p>{@link #sendingWhenSourceIdle} adds one thing for real-time outputs: the writer sends what it holds as soon
 * as the source chained to it has nothing more to read, instead of waiting out the producer's
 * {@code linger.ms}.
 */
public final class OutageSafeKafkaSink<IN>
        implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>, LineageVertexProvider {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OutageSafeKafkaSink.class);

    private final KafkaSink<IN> sink;
    private final boolean sendWhenSourceIdle;

    public OutageSafeKafkaSink(KafkaSink<IN> sink) {
        this(sink, false);
    }

    private OutageSafeKafkaSink(KafkaSink<IN> sink, boolean sendWhenSourceIdle) {
        this.sink = sink;
        this.sendWhenSourceIdle = sendWhenSourceIdle;
    }

    /**
     * This sink, whose writer flushes its producer each time the source chained to it runs dry
     * ({@link SourceIdle}) after it wrote something: the batch leaves when no more outputs can come for now,
     * not {@code linger.ms} after its first record. Under load the source seldom runs dry, and after
     * {@link Writer#BUSY} outputs or more since it last did the writer skips the flush: batches fill and
     * linger as before. At 10,000 events/s it cut the outputs' hop from the job to a consumer from 6.5 to
     * 1.8 ms at the median (docs/BENCHMARKS.md, session 23). Where the sink is not chained to a signalling
     * source nothing changes.
     *
     * <p>For at-least-once sinks: an exactly-once sink's records become visible when the checkpoint commits
     * them, whatever it sends before, and its producer's flush within a transaction logs and reflects each time.
     */
    public OutageSafeKafkaSink<IN> sendingWhenSourceIdle() {
        return new OutageSafeKafkaSink<>(sink, true);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return new Writer<>(sink.createWriter(context), sendWhenSourceIdle);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState) throws IOException {
        return new Writer<>(sink.restoreWriter(context, recoveredState), sendWhenSourceIdle);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) throws IOException {
        return sink.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        sink.addPostCommitTopology(committables);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return sink.getLineageVertex();
    }

    /** The connector's writer; {@link #close} differs, and it may send when the source runs dry. */
    static final class Writer<IN> implements PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> {
        /**
         * Outputs written since the source last ran dry from which the job counts as busy and skips the flush.
         * Unpaced on the 2-core machine a flush took 16 ms on average (all in flight, to a loaded broker) and the
         * source ran dry about every 20,000 outputs; at 10,000 events/s, every 60 or so (docs/BENCHMARKS.md,
         * session 23).
         */
        static final int BUSY = 1_000;

        private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer;
        /** Registered on the task's thread, which creates the writer and polls the source chained to it. */
        private final AutoCloseable sourceIdleListener;
        /** Whether it wrote since it last flushed: a flush with nothing to send still wakes the producer's thread. */
        private boolean unsent;
        /** Outputs written since the source last ran dry. */
        private int writtenSinceIdle;

        Writer(PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer,
                boolean sendWhenSourceIdle) {
            this.writer = writer;
            this.sourceIdleListener = sendWhenSourceIdle ? SourceIdle.afterStagesOnThisThread(this::onSourceIdle)
                    : null;
        }

        /**
         * Flushes the producer: its batches leave now and the call returns when the broker has them, a round trip
         * during which the task would otherwise wait for input anyway. Not after {@link #BUSY} outputs or more:
         * then the batches fill on their own, and the round trip for everything in flight would stall the job.
         * A failed send fails the task here, as it would at the next write or checkpoint.
         */
        private void onSourceIdle() {
            int written = writtenSinceIdle;
            writtenSinceIdle = 0;
            if (!unsent || written >= BUSY) {
                return;
            }
            unsent = false;
            try {
                writer.flush(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the Kafka sink flushed", e);
            }
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
            unsent = true;
            writtenSinceIdle++;
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
            unsent = false;
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit() throws IOException, InterruptedException {
            return writer.prepareCommit();
        }

        @Override
        public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            if (sourceIdleListener != null) {
                sourceIdleListener.close();
            }
            try {
                writer.close();
            } catch (Exception e) {
                Throwable kafka = kafkaCause(e);
                if (kafka == null) {
                    throw e;
                }
                LOG.warn("Closed the Kafka sink writer without aborting its open transaction, since the broker did not"
                        + " answer ({}); the restarted job aborts it, or the broker at transaction.timeout.ms",
                        kafka.toString());
            }
        }

        /**
         * The Kafka client exception in {@code t}'s causes, or null. By class name, not type: Flink's SQL
         * connector jar (flink-sql-connector-kafka) relocates the Kafka clients under
         * {@code org.apache.flink.kafka.shaded.}, and the 'rnnstream-kafka' table sink runs on that jar.
         */
        static Throwable kafkaCause(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
                for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
                    if (k.getName().endsWith(KAFKA_EXCEPTION)) {
                        return c;
                    }
                }
            }
            return null;
        }
    }

    private static final String KAFKA_EXCEPTION = "org.apache.kafka.common.KafkaException";
}
