package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ReferenceType}: a supertype only. */
public interface ReferenceType extends Type {
}
