package io.rnnstream.bench.harness;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.KeyShuffle;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.Pipeline;
import io.rnnstream.job.SequenceMeta;
import io.rnnstream.job.SequenceMetaSerializer;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The keyed stage under test, between the generator and the measuring sink. Its contract: exactly one
 * output per event, in each key's order, with {@link OutputRecord#step} set and {@code reason} null
 * (records with a reason, such as end-of-input finals, are not counted). The real job's stage is
 * {@link #rnnstream()}; peers (in the bench module) implement the same interface.
 */
public interface BenchStage {
    /** A short name for tables, e.g. "rnnstream". */
    String name();

    DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
            StreamOptions opts);

    /**
     * Whether outputs leave in input order across keys (the sink then checks each output's step). False
     * for stages on Flink's asynchronous state API, which only keeps each key's order: the sink then
     * pairs the k-th output with the k-th event's stamp, so latency percentiles are approximate within
     * the in-flight window.
     */
    default boolean ordered() {
        return true;
    }

    /** One key's state as the backend stores it (serialized values), mid-sequence. */
    StateSize stateSize(Model model);

    /**
     * @param valueBytes every state value of one key, serialized with its Flink serializer
     * @param rawFloatBytes 4 bytes per float of recurrent state: the floor any implementation needs
     * @param detail how valueBytes splits, for the report
     */
    record StateSize(long valueBytes, long rawFloatBytes, String detail) {}

    /** The job's own operator ({@link Pipeline}, uid {@value Pipeline#STEP_UID}), with the options it is given. */
    static BenchStage rnnstream() {
        return rnnstream(0);
    }

    /** The job's own operator stepping bundles of {@code bundle} events (0: as the options say). */
    static BenchStage rnnstream(int bundle) {
        return new BenchStage() {
            @Override
            public String name() {
                return bundle == 0 ? "rnnstream" : "rnnstream@" + bundle;
            }

            @Override
            public DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
                    StreamOptions opts) {
                StreamOptions o = opts;
                if (bundle != 0) {
                    try {
                        o = org.apache.flink.util.InstantiationUtil.clone(opts).stepBundle(bundle);
                    } catch (IOException | ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                }
                // Through the same keyBy as the anchors, so each ratio compares the step with the step: the job
                // itself leaves the shuffle out at parallelism 1 (KeyShuffle.AUTO; measured by `bench kafka`).
                return Pipeline.builder().model(model).modelId(modelId).options(o).events(events)
                        .keyShuffle(KeyShuffle.ALWAYS).build().outputs();
            }

            @Override
            public StateSize stateSize(Model model) {
                StepKernel k = new StepKernel(model);
                float[] state = k.newState();
                k.step(state, new float[model.inputSize()]);
                SequenceMeta meta = new SequenceMeta();
                meta.active = true;
                meta.nextStep = 14;
                meta.state = state;
                // One value per key: the state with its bookkeeping (the last output is recomputed).
                long s = serializedSize(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO, state);
                long m = serializedSize(new SequenceMetaSerializer(), meta);
                return new StateSize(m, 4L * state.length, String.format(
                        "sequence-meta %d (of it the state's float[] %d)", m, s));
            }
        };
    }

    /** The bytes Flink's serializer for {@code type} writes for {@code value}. */
    static <T> long serializedSize(TypeInformation<T> type, T value) {
        return serializedSize(type.createSerializer(new SerializerConfigImpl()), value);
    }

    /** The bytes {@code ser} writes for {@code value}. */
    static <T> long serializedSize(TypeSerializer<T> ser, T value) {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        try {
            ser.serialize(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.length();
    }
}
