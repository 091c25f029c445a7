package io.ballerina.runtime.api;

import io.ballerina.runtime.api.concurrent.StrandMetadata;
import io.ballerina.runtime.api.values.BObject;

/**
 * Stand-in of {@code io.ballerina.runtime.api.Runtime}, an abstract class in 2201.11. Only
 * {@code callMethod}: it runs the method to completion before it returns (an error the method
 * returns is the result; a panic is thrown as a {@code BError}); see ../README.md for the threads.
 */
public abstract class Runtime {
    public abstract Object callMethod(BObject object, String methodName, StrandMetadata metadata, Object... args);
}
