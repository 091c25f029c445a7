package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ObjectType}. */
public interface ObjectType extends Type {
    MethodType[] getMethods();

    /** Whether the object type is isolated. */
    boolean isIsolated();

    /** Whether the named method is isolated (use together with {@link #isIsolated()}). */
    boolean isIsolated(String methodName);
}
