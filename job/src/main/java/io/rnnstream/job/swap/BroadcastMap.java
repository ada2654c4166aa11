package io.rnnstream.job.swap;

import java.util.AbstractMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.BroadcastState;

/**
 * Flink broadcast state seen as the {@link Map} {@link ServedModels} keeps its files and history in, so
 * that the history's rules stay plain Java. Only what {@link ServedModels} uses: get, put, remove and a
 * snapshot of the entries.
 */
public final class BroadcastMap<K, V> extends AbstractMap<K, V> {
    private final BroadcastState<K, V> state;

    public BroadcastMap(BroadcastState<K, V> state) {
        this.state = state;
    }

    @Override
    public V get(Object key) {
        try {
            @SuppressWarnings("unchecked")
            K k = (K) key;
            return state.get(k);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read broadcast state: " + e.getMessage(), e);
        }
    }

    @Override
    public V put(K key, V value) {
        try {
            V old = state.get(key);
            state.put(key, value);
            return old;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write broadcast state: " + e.getMessage(), e);
        }
    }

    @Override
    public V remove(Object key) {
        try {
            @SuppressWarnings("unchecked")
            K k = (K) key;
            V old = state.get(k);
            state.remove(k);
            return old;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write broadcast state: " + e.getMessage(), e);
        }
    }

    /** A snapshot: changing the map while iterating it is safe. */
    @Override
    public Set<Entry<K, V>> entrySet() {
        Set<Entry<K, V>> all = new LinkedHashSet<>();
        try {
            for (Entry<K, V> e : state.entries()) {
                all.add(new SimpleImmutableEntry<>(e.getKey(), e.getValue()));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read broadcast state: " + e.getMessage(), e);
        }
        return all;
    }
}
