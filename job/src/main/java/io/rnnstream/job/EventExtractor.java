package io.rnnstream.job;

import io.rnnstream.connectors.Event;
import java.io.Serializable;

/**
 * Turns a user's own record into an {@link Event} (key, step, ts, features, end), for
 * {@link RnnStream#apply(org.apache.flink.streaming.api.datastream.DataStream, EventExtractor,
 * ModelProvider, String, StreamOptions)}.
 */
@FunctionalInterface
public interface EventExtractor<T> extends Serializable {
    Event toEvent(T value);
}
