package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.ListenerConfig;
import io.ballerina.lib.mqtt.engine.MqttListener;
import io.ballerina.lib.mqtt.engine.Subscription;
import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BString;

import java.util.List;

/** The externals of {@code mqtt:Listener} (listener.bal). */
public final class ListenerAdapter {
    /** Native data key of the {@link MqttListener} on the Listener object. */
    static final String LISTENER = "mqtt.listener";
    /** Native data key of the attached service's dispatcher. */
    static final String DISPATCHER = "mqtt.dispatcher";

    private ListenerAdapter() {
    }

    /** Connects (C6, L1); the subscriptions are made by {@code 'start}. */
    public static Object init(Environment env, BObject self, BString serverUri, BString clientId,
                              Object subscriptions, BMap<?, ?> config) {
        String uri = Values.string(serverUri);
        String id = Values.string(clientId);
        Object subs = Errors.call(() -> Values.subscriptions(subscriptions), s -> s);
        if (!(subs instanceof List<?> list)) {
            return subs;
        }
        Object converted = Errors.call(() -> Values.listenerConfig(config), c -> c);
        if (!(converted instanceof ListenerConfig c)) {
            return converted;
        }
        @SuppressWarnings("unchecked")
        List<Subscription> subscriptionList = (List<Subscription>) list;
        return Errors.blocking(env, () -> MqttListener.connect(uri, id, subscriptionList, c), listener -> {
            self.addNativeData(LISTENER, listener);
            return null;
        });
    }

    /** Checks the service (the released compiler plugin's rules) and registers it; one per listener (L1). */
    public static Object attach(Environment env, BObject self, BObject service, Object name) {
        MqttListener listener = listener(self);
        if (listener == null) {
            return notInitialized();
        }
        Object problem = Errors.call(() -> ServiceChecks.check(service), p -> p);
        if (problem != null) {
            return problem instanceof String message ? Errors.error(message) : problem;
        }
        return Errors.call(() -> {
            ServiceDispatcher dispatcher = new ServiceDispatcher(env.getRuntime(), service);
            listener.attach(dispatcher);
            self.addNativeData(DISPATCHER, dispatcher);
            return null;
        }, Errors::nil);
    }

    /** Unsubscribes and stops dispatching to the service (L6); another may be attached later. */
    public static Object detach(Environment env, BObject self, BObject service) {
        MqttListener listener = listener(self);
        if (listener == null) {
            return notInitialized();
        }
        if (!(self.getNativeData(DISPATCHER) instanceof ServiceDispatcher d) || d.service() != service) {
            return Errors.error("The service is not attached to this listener");
        }
        return Errors.blocking(env, () -> {
            listener.detach();
            return null;
        }, r -> {
            self.addNativeData(DISPATCHER, null);
            return null;
        });
    }

    public static Object start(Environment env, BObject self) {
        MqttListener listener = listener(self);
        if (listener == null) {
            return notInitialized();
        }
        return Errors.blocking(env, () -> {
            listener.start();
            return null;
        }, Errors::nil);
    }

    public static Object gracefulStop(Environment env, BObject self) {
        MqttListener listener = listener(self);
        if (listener == null) {
            return notInitialized();
        }
        return Errors.blocking(env, () -> {
            listener.gracefulStop();
            return null;
        }, Errors::nil);
    }

    public static Object immediateStop(Environment env, BObject self) {
        MqttListener listener = listener(self);
        if (listener == null) {
            return notInitialized();
        }
        return Errors.blocking(env, () -> {
            listener.immediateStop();
            return null;
        }, Errors::nil);
    }

    private static MqttListener listener(BObject self) {
        return self.getNativeData(LISTENER) instanceof MqttListener l ? l : null;
    }

    private static Object notInitialized() {
        return Errors.error("Listener is not initialized");
    }
}
