package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BStream}. */
public interface BStream extends BValue {
    BObject getIteratorObj();
}
