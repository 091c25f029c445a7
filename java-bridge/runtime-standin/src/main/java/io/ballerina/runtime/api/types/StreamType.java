package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.StreamType} (tested with instanceof only). */
public interface StreamType extends Type {
}
