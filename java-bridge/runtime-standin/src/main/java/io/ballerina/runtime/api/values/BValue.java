package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BValue} (no method used by the adapters). */
public interface BValue {
}
