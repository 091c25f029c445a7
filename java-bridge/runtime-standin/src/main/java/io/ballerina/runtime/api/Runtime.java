package io.ballerina.runtime.api;

import io.ballerina.runtime.api.concurrent.StrandMetadata;
import io.ballerina.runtime.api.values.BObject;

/**
 * Stand-in of {@code io.ballerina.runtime.api.Runtime} (Ballerina 2201.11+: an abstract class whose
 * {@code callMethod} runs the method on a new strand and returns its result, throwing a
 * {@code BError} on panic). Only the methods the adapters use.
 */
public abstract class Runtime {
    public abstract Object callMethod(BObject object, String methodName, StrandMetadata metadata, Object... args);
}
