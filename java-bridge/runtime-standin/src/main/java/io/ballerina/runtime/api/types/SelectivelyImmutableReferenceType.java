package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.SelectivelyImmutableReferenceType}: a supertype only. */
public interface SelectivelyImmutableReferenceType extends IntersectableReferenceType {
}
