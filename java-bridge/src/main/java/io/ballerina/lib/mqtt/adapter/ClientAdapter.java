package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.ClientConfig;
import io.ballerina.lib.mqtt.engine.DeliveryToken;
import io.ballerina.lib.mqtt.engine.MessageStream;
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.lib.mqtt.engine.Subscription;
import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.creators.ValueCreator;
import io.ballerina.runtime.api.types.StreamType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.utils.TypeUtils;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.api.values.BTypedesc;

import java.util.List;

/** The externals of {@code mqtt:Client} (client.bal). */
public final class ClientAdapter {
    /** Native data key of the {@link MqttClient} on the Client object. */
    static final String CLIENT = "mqtt.client";
    /** Native data key of the {@link MessageStream} on a MessageStream object. */
    static final String STREAM = "mqtt.stream";
    static final String MESSAGE_STREAM_CLASS = "MessageStream";

    private ClientAdapter() {
    }

    /** Connects (C6) and keeps the client on {@code self}. */
    public static Object init(Environment env, BObject self, BString serverUri, BString clientId, BMap<?, ?> config) {
        String uri = Values.string(serverUri);
        String id = Values.string(clientId);
        Object converted = Errors.call(() -> Values.clientConfig(config), c -> c);
        if (!(converted instanceof ClientConfig c)) {
            return converted;
        }
        return Errors.blocking(env, () -> MqttClient.connect(uri, id, c), client -> {
            self.addNativeData(CLIENT, client);
            return null;
        });
    }

    public static Object publish(Environment env, BObject self, BString topic, BMap<?, ?> message) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        Object converted = Errors.call(() -> Values.outgoing(message), m -> m);
        if (!(converted instanceof Values.Outgoing m)) {
            return converted;
        }
        String t = Values.string(topic);
        // The usual record, {payload, qos}, builds no Message: the byte[] overload hands the array
        // getBytes made to the engine as it is (a Message would copy it once more).
        return Errors.blocking(env,
                () -> m.plain() ? client.publish(t, m.payload(), m.qos()) : client.publish(t, m.message()),
                token -> Values.toBallerina((DeliveryToken) token, topic));
    }

    public static Object subscribe(Environment env, BObject self, Object subscriptions) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        Object converted = Errors.call(() -> Values.subscriptions(subscriptions), s -> s);
        if (!(converted instanceof List<?> list)) {
            return converted;
        }
        @SuppressWarnings("unchecked")
        List<Subscription> subs = (List<Subscription>) list;
        return Errors.blocking(env, () -> {
            client.subscribe(subs);
            return null;
        }, Errors::nil);
    }

    /**
     * {@code receive} and {@code receiveResponse}: a {@code stream<Message, error?>} over a new
     * {@code MessageStream} object that holds the native stream (R1, R2). Does not block.
     */
    public static Object receive(Environment env, BObject self, BTypedesc t) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        return Errors.call(client::receive, stream -> {
            Type described = TypeUtils.getImpliedType(t.getDescribingType());
            if (!(described instanceof StreamType streamType)) {
                ((MessageStream) stream).close();
                return Errors.error("receive needs a stream type, not " + described.getName());
            }
            BObject iterator = ValueCreator.createObjectValue(ModuleUtils.getModule(), MESSAGE_STREAM_CLASS);
            iterator.addNativeData(STREAM, stream);
            return ValueCreator.createStreamValue(streamType, iterator);
        });
    }

    /** Does not block: reads the connection state. */
    public static Object isConnected(Environment env, BObject self) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        return Errors.call(client::isConnected, connected -> connected);
    }

    public static Object disconnect(Environment env, BObject self) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        return Errors.blocking(env, () -> {
            client.disconnect();
            return null;
        }, Errors::nil);
    }

    public static Object reconnect(Environment env, BObject self) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        return Errors.blocking(env, () -> {
            client.reconnect();
            return null;
        }, Errors::nil);
    }

    /**
     * C7: 32100 while connected (checked here: the host API's close would disconnect); every call after a
     * successful close returns 32111.
     */
    public static Object close(Environment env, BObject self) {
        MqttClient client = client(self);
        if (client == null) {
            return notInitialized();
        }
        if (client.isClosed()) {
            return Errors.error("Client is closed", MqttException.CLIENT_CLOSED);
        }
        // 1.4.1 refuses close while connected; the host API's close disconnects first (C7), so check here.
        Object connected = Errors.call(client::isConnected, c -> c);
        if (Boolean.TRUE.equals(connected)) {
            return Errors.error("Client is connected", MqttException.CLIENT_CONNECTED);
        }
        if (!(connected instanceof Boolean)) {
            return connected;
        }
        return Errors.blocking(env, () -> {
            client.close();
            return null;
        }, Errors::nil);
    }

    static MqttClient client(BObject self) {
        return self.getNativeData(CLIENT) instanceof MqttClient c ? c : null;
    }

    private static Object notInitialized() {
        return Errors.error("Client is not initialized");
    }
}
