package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BMap} (maps and records). */
public interface BMap<K, V> extends BRefValue, BCollection {
    V get(Object key);

    boolean containsKey(Object key);

    /** Sets a field of a value being built (what the runtime's own {@code createRecordValue} does per field). */
    void populateInitialValue(K key, V value);
}
