package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BStream} (only returned by the adapters). */
public interface BStream extends BRefValue {
}
