/**
 * The step stage. {@link io.rnnstream.job.step.SequenceCore} decides everything per key (buffer, step, emit,
 * end, dead-letter, which model, when to wake) over the plain interfaces {@link io.rnnstream.job.step.KeyState},
 * {@link io.rnnstream.job.step.Timers} and {@link io.rnnstream.job.step.Emitter}; {@link
 * io.rnnstream.job.step.StepOperator} is the Flink operator around it (keyed state, timers, metrics, end of
 * input, the optional model-update input), and the SQL function in the sql module is another adapter.
 */
package io.rnnstream.job.step;
