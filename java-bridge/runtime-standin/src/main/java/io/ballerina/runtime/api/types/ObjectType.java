package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ObjectType}. */
public interface ObjectType extends StructureType, SelectivelyImmutableReferenceType {
    MethodType[] getMethods();

    boolean isIsolated();

    /** Whether the named method is isolated; a method is concurrent-safe when this and {@link #isIsolated()} hold. */
    boolean isIsolated(String methodName);
}
