package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.Caller;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;

/** The externals of {@code mqtt:Caller} (caller.bal). */
public final class CallerAdapter {
    /** Native data key of the host-API {@link Caller} of one received message. */
    static final String CALLER = "mqtt.caller";

    private CallerAdapter() {
    }

    /** Acknowledges the message (manual acks, L3); a no-op in automatic mode. Never blocks. */
    public static Object complete(Environment env, BObject self) {
        Caller caller = caller(self);
        if (caller == null) {
            return Errors.error("Caller is not bound to a received message");
        }
        return Errors.call(() -> {
            caller.complete();
            return null;
        }, Errors::nil);
    }

    /** Publishes the response to the request's response topic with its correlation data (L5). */
    public static Object respond(Environment env, BObject self, BMap<?, ?> response) {
        Caller caller = caller(self);
        if (caller == null) {
            return Errors.error("Caller is not bound to a received message");
        }
        Object converted = Errors.call(() -> Values.message(response), m -> m);
        if (!(converted instanceof Message m)) {
            return converted;
        }
        return Errors.blocking(env, () -> {
            caller.respond(m);
            return null;
        }, Errors::nil);
    }

    private static Caller caller(BObject self) {
        return self.getNativeData(CALLER) instanceof Caller c ? c : null;
    }
}
