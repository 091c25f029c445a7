package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BCollection}: a supertype only. */
public interface BCollection {
}
