package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.Module;

/** Keeps the {@code ballerina/mqtt} module, handed over by the module's {@code init} ({@code init.bal}). */
public final class ModuleUtils {
    private static volatile Module module;

    private ModuleUtils() {
    }

    /** {@code setModule()} of init.bal. */
    public static void setModule(Environment env) {
        module = env.getCurrentModule();
    }

    /** The module whose types ({@code Error}, {@code Message}, {@code Caller} …) the adapters create. */
    public static Module getModule() {
        Module m = module;
        if (m == null) {
            throw new IllegalStateException("the ballerina/mqtt module is not initialized (setModule was not called)");
        }
        return m;
    }
}
