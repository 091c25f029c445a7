package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ErrorType} (tested with instanceof only). */
public interface ErrorType extends Type {
}
