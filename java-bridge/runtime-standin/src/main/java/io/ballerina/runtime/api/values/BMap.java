package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BMap} (maps and records). */
public interface BMap<K, V> extends BRefValue, BCollection {
    V get(Object key);

    boolean containsKey(Object key);
}
