package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.NetworkObjectType} (declares the remote methods of services and clients). */
public interface NetworkObjectType extends ObjectType {
    RemoteMethodType[] getRemoteMethods();
}
