package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.NullType} (the adapters test for it with instanceof). */
public interface NullType extends Type {
}
