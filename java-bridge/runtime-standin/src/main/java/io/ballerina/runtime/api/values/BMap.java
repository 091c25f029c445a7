package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BMap} (maps and records). */
public interface BMap<K, V> extends BValue {
    V get(Object key);

    V put(K key, V value);

    boolean containsKey(Object key);

    int size();
}
