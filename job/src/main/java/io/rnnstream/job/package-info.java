/**
 * rnnstream's Flink job, in the order an event travels: {@link io.rnnstream.job.parse} (JSON → event),
 * {@link io.rnnstream.job.order} (event-time order), {@link io.rnnstream.job.step} (one recurrent step per
 * event; the per-key rules are {@code SequenceCore}, plain Java), {@link io.rnnstream.job.swap} (hot model
 * swap). {@link io.rnnstream.job.Pipeline} wires them, the only place that does; {@link io.rnnstream.job.KafkaJob}
 * gives it Kafka's source and sinks, {@link io.rnnstream.job.JobOptions} maps the command line onto both, and
 * {@link io.rnnstream.job.JobMain} is the job jar's entry point.
 *
 * <p>{@link io.rnnstream.job.SequenceMeta} and {@link io.rnnstream.job.ModelAssignment} stay in this package
 * although the step and swap stages use them: savepoints name a state POJO by its class, so moving one
 * would break restoring every earlier savepoint.
 */
package io.rnnstream.job;
