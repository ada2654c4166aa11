package io.rnnstream.connectors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * "The source has nothing to read now", told to the stages chained to it, on the task's thread. Flink tells
 * an operator about records, watermarks and barriers, not about its input running dry; a stage that holds
 * records back to process them together (the step's bundles) then needs a timer to bound their wait, and on
 * a 2-vCPU VM the timer's thread waking every millisecond cost ~3 % of the job's CPU (docs/BENCHMARKS.md,
 * session 22). {@link #signalling} wraps a source so that each time its reader has no record to give, the
 * listeners registered on the same thread run before the task goes idle. Only stages chained to the source
 * share its thread: a stage behind a shuffle hears nothing and keeps its timer.
 *
 * <p>A sink chained to the source hears it too, after the stages ({@link #afterStagesOnThisThread}): what they
 * released on the signal is then in its hands, and it can send it instead of waiting for more
 * ({@link io.rnnstream.connectors.kafka.OutageSafeKafkaSink#sendingWhenSourceIdle}).
 *
 * <p>The wrapper changes nothing the source checkpoints (same splits, serializers and enumerator), so a
 * savepoint taken with or without it restores either way.
 */
public final class SourceIdle {
    private static final ThreadLocal<SourceIdle> THREAD = ThreadLocal.withInitial(SourceIdle::new);

    private final List<Runnable> listeners = new ArrayList<>();
    private final List<Runnable> sinks = new ArrayList<>();

    private SourceIdle() {}

    /** Runs {@code listener} whenever a signalling source on this thread has nothing to read; undo with the result. */
    public static AutoCloseable onThisThread(Runnable listener) {
        SourceIdle s = THREAD.get();
        s.listeners.add(listener);
        return () -> s.listeners.remove(listener);
    }

    /**
     * Runs {@code listener} whenever a signalling source on this thread has nothing to read, after every
     * {@link #onThisThread} listener: a sink that holds records back hears it once the stages before it have
     * released theirs. Undo with the result.
     */
    public static AutoCloseable afterStagesOnThisThread(Runnable listener) {
        SourceIdle s = THREAD.get();
        s.sinks.add(listener);
        return () -> s.sinks.remove(listener);
    }

    /** What a signalling reader does when it runs dry; a test calls it to stand for one. */
    public static void signalOnThisThread() {
        THREAD.get().fire();
    }

    private void fire() {
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).run();
        }
        for (int i = 0; i < sinks.size(); i++) {
            sinks.get(i).run();
        }
    }

    /** {@code source}, whose readers tell this thread's listeners each time they run dry. */
    public static <T, S extends SourceSplit, E> Source<T, S, E> signalling(Source<T, S, E> source) {
        return new Signalling<>(source);
    }

    private static final class Signalling<T, S extends SourceSplit, E> implements Source<T, S, E>,
            ResultTypeQueryable<T> {
        private static final long serialVersionUID = 1L;
        private final Source<T, S, E> inner;

        Signalling(Source<T, S, E> inner) {
            if (!(inner instanceof ResultTypeQueryable)) {
                throw new IllegalArgumentException("SourceIdle.signalling needs a source that knows its type"
                        + " (ResultTypeQueryable), as KafkaSource does; " + inner.getClass().getName() + " does not");
            }
            this.inner = inner;
        }

        @Override
        @SuppressWarnings("unchecked")
        public TypeInformation<T> getProducedType() {
            return ((ResultTypeQueryable<T>) inner).getProducedType();
        }

        @Override
        public Boundedness getBoundedness() {
            return inner.getBoundedness();
        }

        @Override
        public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> context) throws Exception {
            return inner.createEnumerator(context);
        }

        @Override
        public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> context, E checkpoint)
                throws Exception {
            return inner.restoreEnumerator(context, checkpoint);
        }

        @Override
        public SimpleVersionedSerializer<S> getSplitSerializer() {
            return inner.getSplitSerializer();
        }

        @Override
        public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
            return inner.getEnumeratorCheckpointSerializer();
        }

        @Override
        public Set<? extends WatermarkDeclaration> declareWatermarks() {
            return inner.declareWatermarks();
        }

        @Override
        public SourceReader<T, S> createReader(SourceReaderContext context) throws Exception {
            return new Reader<>(inner.createReader(context));
        }
    }

    private static final class Reader<T, S extends SourceSplit> implements SourceReader<T, S> {
        private final SourceReader<T, S> inner;
        /** The task thread's listeners, looked up on its first poll (the reader is polled by that thread only). */
        private SourceIdle idle;

        Reader(SourceReader<T, S> inner) {
            this.inner = inner;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            InputStatus s = inner.pollNext(output);
            if (s != InputStatus.MORE_AVAILABLE) {
                if (idle == null) {
                    idle = THREAD.get();
                }
                idle.fire();
            }
            return s;
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public List<S> snapshotState(long checkpointId) {
            return inner.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return inner.isAvailable();
        }

        @Override
        public void addSplits(List<S> splits) {
            inner.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            inner.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            inner.handleSourceEvents(event);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            inner.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            inner.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            inner.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            inner.close();
        }
    }
}
