package io.ballerina.runtime.api;

import java.util.function.Supplier;

/**
 * Stand-in of {@code io.ballerina.runtime.api.Environment} (Ballerina 2201.11+: an abstract class;
 * {@code markAsync}/{@code Future} are gone). Only the methods the adapters use.
 */
public abstract class Environment {
    /** Yields the strand and runs {@code supplier} so that other non-isolated strands can run meanwhile. */
    public abstract <T> T yieldAndRun(Supplier<T> supplier);

    public abstract Runtime getRuntime();

    public abstract Module getCurrentModule();
}
