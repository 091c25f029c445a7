package io.ballerina.runtime.api;

import java.util.function.Supplier;

/**
 * Stand-in of {@code io.ballerina.runtime.api.Environment}, an abstract class in 2201.11. The runtime
 * passes an instance as the first argument of an interop method. Only the members the adapters use.
 */
public abstract class Environment {
    /**
     * Yields the calling strand, runs {@code supplier} on the calling thread, then resumes the strand.
     * Must be called on the thread the interop method was called on (see ../README.md).
     */
    public abstract <T> T yieldAndRun(Supplier<T> supplier);

    public abstract Runtime getRuntime();

    public abstract Module getCurrentModule();
}
