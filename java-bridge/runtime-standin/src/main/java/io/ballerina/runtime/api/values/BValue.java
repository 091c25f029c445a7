package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BValue}: a supertype only. */
public interface BValue {
}
