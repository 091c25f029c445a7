package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ArrayType} (only passed on by the adapters). */
public interface ArrayType extends Type {
}
