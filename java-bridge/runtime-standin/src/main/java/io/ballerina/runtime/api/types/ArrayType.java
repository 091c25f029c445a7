package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ArrayType} (tested with instanceof only). */
public interface ArrayType extends Type {
}
