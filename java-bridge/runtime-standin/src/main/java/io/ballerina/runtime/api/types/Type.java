package io.ballerina.runtime.api.types;

import io.ballerina.runtime.api.Module;

/** Stand-in of {@code io.ballerina.runtime.api.types.Type}: the two members the adapters use. */
public interface Type {
    String getName();

    Module getPackage();
}
