package io.rnnstream.connectors.kafka;

import java.io.IOException;
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
 */
public final class OutageSafeKafkaSink<IN>
        implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>, LineageVertexProvider {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OutageSafeKafkaSink.class);

    private final KafkaSink<IN> sink;

    public OutageSafeKafkaSink(KafkaSink<IN> sink) {
        this.sink = sink;
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return new Writer<>(sink.createWriter(context));
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState) throws IOException {
        return new Writer<>(sink.restoreWriter(context, recoveredState));
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

    /** The connector's writer; only {@link #close} differs. */
    static final class Writer<IN> implements PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> {
        private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer;

        Writer(PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer) {
            this.writer = writer;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
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
