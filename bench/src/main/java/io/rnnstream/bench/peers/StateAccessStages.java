package io.rnnstream.bench.peers;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.bench.harness.BenchStage;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * rnnstream's kernel with the least state access an operator can have: one {@code float[]} value per
 * key, one read and one write per event. Against the real operator (which also keeps the last output
 * and the sequence bookkeeping: two reads and three writes per event) this prices the state access on
 * each backend; the async variant runs it on Flink 2's asynchronous state API
 * ({@code enableAsyncState()}, state v2), which ForSt serves without blocking the task thread.
 */
public final class StateAccessStages {
    private StateAccessStages() {}

    public static BenchStage oneState() {
        return new Stage("kernel-1state", false);
    }

    public static BenchStage oneStateAsync() {
        return new Stage("kernel-1state-async", true);
    }

    private static final class Stage implements BenchStage {
        private final String name;
        private final boolean async;

        Stage(String name, boolean async) {
            this.name = name;
            this.async = async;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean ordered() {
            return !async;
        }

        @Override
        public DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
                StreamOptions opts) {
            KeyedStream<Event, String> keyed = events.keyBy(e -> e.key, TypeInformation.of(String.class));
            if (async) {
                keyed = keyed.enableAsyncState();
                return keyed.process(new AsyncFn(model), TypeInformation.of(OutputRecord.class)).name(name)
                        .uid("bench-" + name);
            }
            return keyed.process(new SyncFn(model), TypeInformation.of(OutputRecord.class)).name(name)
                    .uid("bench-" + name);
        }

        @Override
        public StateSize stateSize(Model model) {
            float[] s = new StepKernel(model).newState();
            long bytes = BenchStage.serializedSize(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO, s);
            return new StateSize(bytes, 4L * s.length, "model-state " + bytes);
        }
    }

    static final class SyncFn extends KeyedProcessFunction<String, Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final ModelProvider model;
        private transient StepKernel kernel;
        private transient ValueState<float[]> state;

        SyncFn(ModelProvider model) {
            this.model = model;
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            kernel = new StepKernel(model.get());
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("model-state",
                    PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<OutputRecord> out) throws Exception {
            float[] s = e.step == 0 ? null : state.value();
            if (s == null) {
                s = kernel.newState();
            }
            float[] y = kernel.step(s, e.features).clone();
            state.update(s);
            out.collect(PeerStages.record(e, y));
        }
    }

    static final class AsyncFn extends KeyedProcessFunction<String, Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final ModelProvider model;
        private transient StepKernel kernel;
        private transient org.apache.flink.api.common.state.v2.ValueState<float[]> state;

        AsyncFn(ModelProvider model) {
            this.model = model;
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            kernel = new StepKernel(model.get());
            state = getRuntimeContext().getState(new org.apache.flink.api.common.state.v2.ValueStateDescriptor<>(
                    "model-state", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<OutputRecord> out) {
            // Callbacks run on the task thread, one at a time: the kernel's scratch is safe to share.
            state.asyncValue().thenAccept(prev -> {
                float[] s = e.step == 0 || prev == null ? kernel.newState() : prev;
                float[] y = kernel.step(s, e.features).clone();
                state.asyncUpdate(s);
                out.collect(PeerStages.record(e, y));
            });
        }
    }
}
