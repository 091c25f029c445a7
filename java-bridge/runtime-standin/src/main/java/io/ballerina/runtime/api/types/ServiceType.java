package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ServiceType}: its remote methods come from {@link NetworkObjectType}. */
public interface ServiceType extends NetworkObjectType {
}
