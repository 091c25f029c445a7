package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.StructureType}: a supertype only. */
public interface StructureType extends AnnotatableType {
}
