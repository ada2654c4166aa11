/**
 * Hot model swap: the model updates (from a topic), the history that decides which model a sequence starts
 * on ({@link io.rnnstream.job.swap.ServedModels}, plain Java over maps the step operator backs with broadcast
 * state), the swap policies and the status records. docs/MODEL_LIFECYCLE.md tells the rules.
 */
package io.rnnstream.job.swap;
