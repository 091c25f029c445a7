package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.NullType} (tested with instanceof only). */
public interface NullType extends Type {
}
