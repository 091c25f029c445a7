package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.ServiceType}. */
public interface ServiceType extends ObjectType {
    RemoteMethodType[] getRemoteMethods();
}
