package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.StreamType} (the adapters test for it with instanceof). */
public interface StreamType extends Type {
}
