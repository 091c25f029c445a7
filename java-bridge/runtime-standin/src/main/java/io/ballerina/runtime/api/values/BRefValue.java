package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BRefValue}: a supertype only. */
public interface BRefValue extends BValue {
}
