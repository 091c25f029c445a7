package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ErrorType} (the adapters test for it with instanceof). */
public interface ErrorType extends AnnotatableType, IntersectableReferenceType {
}
