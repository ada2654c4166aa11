package io.rnnstream.bench.peers;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import io.rnnstream.job.ModelProvider;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.bench.harness.BenchStage;
import io.rnnstream.model.Model;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The peers as keyed stages of the same harness: same generator, keyBy, sink and model. Each keeps its
 * per-key state in Flink state with Flink's serializers, like the real operator, and emits one
 * {@link OutputRecord} per event.
 */
public final class PeerStages {
    private PeerStages() {}

    /** (a) DL4J rnnTimeStep with each key's h swapped in and out. */
    public static BenchStage dl4j() {
        return new HiddenStateStage("dl4j-rnnTimeStep", Kind.DL4J);
    }

    /** (c) ND4J ops at batch 1. */
    public static BenchStage nd4j() {
        return new HiddenStateStage("nd4j-batch1", Kind.ND4J);
    }

    /** (b) ONNX Runtime rerunning each key's window of the last T inputs (kept in ListState). */
    public static BenchStage onnxWindow() {
        return onnxWindow(false);
    }

    /**
     * The pattern taken literally: each key's last T inputs, whatever sequence they belong to,
     * rerun on every event. Once a key has seen T events every rerun is a full window; its outputs equal
     * rnnstream's only where the window is exactly one sequence (each sequence's last step, and a key's
     * first sequence). {@link #onnxWindow()} restarts the window with each sequence instead, so that
     * every output equals rnnstream's, and reruns 14.5 steps per event on average.
     */
    public static BenchStage onnxSliding() {
        return onnxWindow(true);
    }

    private static BenchStage onnxWindow(boolean sliding) {
        return new BenchStage() {
            @Override
            public String name() {
                return sliding ? "onnx-sliding" : "onnx-window";
            }

            @Override
            public DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
                    StreamOptions opts) {
                return events.keyBy(e -> e.key, TypeInformation.of(String.class))
                        .process(new OnnxWindowFunction(PeerModel.onnx(), opts.sequenceLength(), sliding),
                                TypeInformation.of(OutputRecord.class))
                        .name(name()).uid("peer-" + name());
            }

            @Override
            public StateSize stateSize(Model model) {
                // Mid-sequence: 14 of the 28 inputs (the window grows from 1 to T, then a sequence
                // restarts); sliding, the window stays full.
                int kept = sliding ? 28 : 14;
                List<float[]> w = new ArrayList<>();
                for (int i = 0; i < kept; i++) {
                    w.add(new float[model.inputSize()]);
                }
                ListSerializer<float[]> ser = new ListSerializer<>(
                        PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO.createSerializer(
                                new SerializerConfigImpl()));
                DataOutputSerializer out = new DataOutputSerializer(4096);
                try {
                    ser.serialize(w, out);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                int units = PeerModel.parts(model).units();
                return new StateSize(out.length(), 4L * units, "inputs (ListState<float[]>, " + kept + " of 28) "
                        + out.length());
            }
        };
    }

    enum Kind { DL4J, ND4J }

    private static final class HiddenStateStage implements BenchStage {
        private final String name;
        private final Kind kind;

        HiddenStateStage(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DataStream<OutputRecord> apply(DataStream<Event> events, ModelProvider model, String modelId,
                StreamOptions opts) {
            return events.keyBy(e -> e.key, TypeInformation.of(String.class))
                    .process(new HiddenStateFunction(model, kind), TypeInformation.of(OutputRecord.class))
                    .name(name).uid("peer-" + name);
        }

        @Override
        public StateSize stateSize(Model model) {
            int units = PeerModel.parts(model).units();
            long bytes = BenchStage.serializedSize(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO,
                    new float[units]);
            return new StateSize(bytes, 4L * units, "h " + bytes);
        }
    }

    /** One ValueState<float[]> h per key; the step runs in DL4J or ND4J. */
    static final class HiddenStateFunction extends KeyedProcessFunction<String, Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final ModelProvider model;
        private final Kind kind;
        private transient Dl4jPeer dl4j;
        private transient Nd4jPeer nd4j;
        private transient ValueState<float[]> h;

        HiddenStateFunction(ModelProvider model, Kind kind) {
            this.model = model;
            this.kind = kind;
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            Model m = model.get();
            if (kind == Kind.DL4J) {
                dl4j = new Dl4jPeer(m);
            } else {
                nd4j = new Nd4jPeer(m);
            }
            h = getRuntimeContext().getState(new ValueStateDescriptor<>("h",
                    PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<OutputRecord> out) throws Exception {
            float[] prev = e.step == 0 ? null : h.value();
            float[] y;
            if (dl4j != null) {
                y = dl4j.step(prev, e.features);
                h.update(dl4j.lastState());
            } else {
                y = nd4j.step(prev, e.features);
                h.update(nd4j.lastState());
            }
            out.collect(record(e, y));
        }
    }

    static final class OnnxWindowFunction extends KeyedProcessFunction<String, Event, OutputRecord> {
        private static final long serialVersionUID = 1L;
        private final byte[] onnx;
        private final int window;
        private final boolean sliding;
        private transient OnnxWindowPeer peer;
        private transient ListState<float[]> inputs;

        OnnxWindowFunction(byte[] onnx, int window, boolean sliding) {
            this.onnx = onnx;
            this.window = window;
            this.sliding = sliding;
        }

        @Override
        public void open(OpenContext ctx) {
            peer = new OnnxWindowPeer(onnx);
            inputs = getRuntimeContext().getListState(new ListStateDescriptor<>("inputs",
                    PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<OutputRecord> out) throws Exception {
            List<float[]> w = new ArrayList<>(window + 1);
            boolean restart = e.step == 0 && !sliding;
            if (!restart) {
                Iterable<float[]> kept = inputs.get();
                if (kept != null) {
                    for (float[] x : kept) {
                        w.add(x);
                    }
                }
            }
            w.add(e.features);
            if (w.size() > window) {
                w = new ArrayList<>(w.subList(w.size() - window, w.size()));
                inputs.update(w);
            } else if (restart) {
                inputs.update(w);
            } else {
                inputs.add(e.features);
            }
            out.collect(record(e, peer.run(w)));
        }

        @Override
        public void close() throws Exception {
            if (peer != null) {
                peer.close();
            }
        }
    }

    static OutputRecord record(Event e, float[] y) {
        OutputRecord r = new OutputRecord();
        r.key = e.key;
        r.step = e.step;
        r.output = y;
        r.labelIndex = PeerModel.argMax(y);
        return r;
    }
}
