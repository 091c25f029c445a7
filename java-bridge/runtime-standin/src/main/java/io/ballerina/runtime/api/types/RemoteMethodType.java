package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.RemoteMethodType}. */
public interface RemoteMethodType extends MethodType {
    @Override
    FunctionType getType();
}
