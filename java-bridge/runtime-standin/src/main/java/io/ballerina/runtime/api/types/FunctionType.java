package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.FunctionType}. */
public interface FunctionType extends AnnotatableType {
    Type getReturnType();

    Parameter[] getParameters();
}
