package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.MethodType}. */
public interface MethodType extends FunctionType {
    FunctionType getType();

    boolean isIsolated();
}
