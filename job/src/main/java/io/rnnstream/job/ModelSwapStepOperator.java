package io.rnnstream.job;

import io.rnnstream.connectors.DeadLetter;
import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.OutputRecord;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The step stage with hot model swap: input 1 is the keyed events, input 2 the broadcast model
 * updates. It runs the same {@link RecurrentStepFunction} as {@link RecurrentStepOperator} (so the
 * per-key semantics are one code), and adds the model history in broadcast state.
 *
 * <p>Both inputs run on the task's one thread, so an update is applied between two events, never
 * during one: no event is stepped with a half-loaded model. Every instance decides on every update
 * the same way (the decision depends only on the update and on the history); subtask 0 reports it
 * on {@link #MODEL_STATUS}.
 *
 * <p>Event time comes from the events alone: the update input's watermarks are ignored, so a model
 * topic that is silent for days does not hold back the idle timers.
 */
public class ModelSwapStepOperator extends AbstractUdfStreamOperator<OutputRecord, RecurrentStepFunction>
        implements TwoInputStreamOperator<Event, ModelUpdate, OutputRecord>, Triggerable<String, VoidNamespace>,
        BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    /** What became of each model update (accepted or refused, and why), from subtask 0. */
    public static final OutputTag<ModelStatus> MODEL_STATUS =
            new OutputTag<>("model-status", TypeInformation.of(ModelStatus.class));

    private transient TimestampedCollector<OutputRecord> collector;
    private transient TimerService timers;
    private transient RecurrentStepFunction.Emitter emit;
    private transient StreamRecord<?> current;

    public ModelSwapStepOperator(RecurrentStepFunction function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        super.open();
        collector = new TimestampedCollector<>(output);
        InternalTimerService<VoidNamespace> internal =
                getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        timers = new SimpleTimerService(internal);
        emit = new RecurrentStepFunction.Emitter() {
            @Override
            public void output(OutputRecord r) {
                collector.collect(r);
            }

            @Override
            public void deadLetter(DeadLetter d) {
                StreamRecord<?> c = current;
                output.collect(RecurrentStepFunction.DEAD_LETTERS, c != null && c.hasTimestamp()
                        ? new StreamRecord<>(d, c.getTimestamp()) : new StreamRecord<>(d));
            }
        };
        userFunction.models().attach(getOperatorStateBackend().getBroadcastState(ServedModels.FILES),
                getOperatorStateBackend().getBroadcastState(ServedModels.HISTORY));
    }

    @Override
    public void processElement1(StreamRecord<Event> element) throws Exception {
        collector.setTimestamp(element);
        current = element;
        userFunction.process(element.getValue(), timers, emit);
        current = null;
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        ModelStatus s = userFunction.models().offer(element.getValue(), userFunction.policy());
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            output.collect(MODEL_STATUS, new StreamRecord<>(s));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        collector.setAbsoluteTimestamp(timer.getTimestamp());
        userFunction.timer(timer.getTimestamp(), timer.getKey(), timers, emit);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        collector.eraseTimestamp();
        userFunction.timer(timer.getTimestamp(), timer.getKey(), timers, emit);
    }

    /** Event time is the events' alone (see the class comment). */
    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // the model updates carry no event time of the stream
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) {
        if (inputIndex == 0) {
            output.emitWatermarkStatus(status);
        }
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId != 1) {
            return;
        }
        List<String> keys;
        // Collect first: the handler clears state, which must not happen under a live key iterator.
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(RecurrentStepFunction.STATE_META,
                VoidNamespace.INSTANCE)) {
            keys = s.collect(Collectors.toList());
        }
        keys.sort(null);
        collector.eraseTimestamp();
        for (String k : keys) {
            setCurrentKey(k);
            userFunction.endOfInput(k, emit);
        }
    }
}
