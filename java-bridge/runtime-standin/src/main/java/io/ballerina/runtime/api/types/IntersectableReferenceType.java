package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.IntersectableReferenceType}: a supertype only. */
public interface IntersectableReferenceType extends ReferenceType {
}
