package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.AnnotatableType}: a supertype only. */
public interface AnnotatableType extends Type {
}
