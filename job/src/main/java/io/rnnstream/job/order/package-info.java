/**
 * The order stage: events with {@code ts} and no {@code step} wait for the watermark and leave in {@code ts}
 * order. {@link io.rnnstream.job.order.TsOrder} holds the rules without Flink; the operator adapts them.
 */
package io.rnnstream.job.order;
