package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.CertKey;
import io.ballerina.lib.mqtt.engine.ClientConfig;
import io.ballerina.lib.mqtt.engine.ConnectionConfig;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageStream;
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.lib.mqtt.engine.SecureSocket;
import io.ballerina.lib.mqtt.engine.Subscription;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BString;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.ballerina.lib.mqtt.adapter.Bal.message;
import static io.ballerina.lib.mqtt.adapter.Bal.payload;
import static io.ballerina.lib.mqtt.adapter.Bal.rec;
import static io.ballerina.lib.mqtt.adapter.Bal.str;

/**
 * Run in a child JVM by {@code DefaultTrustTest} (contract T6): connects to {@code args[1]} with no
 * {@code cert}, publishes to itself and prints {@code RECEIVED <payload>}, or {@code FAILED <message>}
 * when a call fails. {@code args[0]} is {@code api} (the Java host API) or {@code adapter} (the
 * Ballerina interop adapters, as the {@code .bal} package calls them). With {@code args[2]} and
 * {@code args[3]} (a PEM certificate and key) the {@code secureSocket} has only a {@code key}.
 */
public final class DefaultTrustProbe {
    private static final String TOPIC = "t6/default-trust";

    private DefaultTrustProbe() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        String url = args[1];
        CertKey key = args.length > 3 ? new CertKey(args[2], args[3]) : null;
        String payload = "default-trust-" + mode;
        try {
            String got = mode.equals("adapter") ? viaAdapters(url, key, payload) : viaHostApi(url, key, payload);
            System.out.println("RECEIVED " + got);
        } catch (MqttException e) {
            System.out.println("FAILED " + e.getMessage());
        }
    }

    private static String viaHostApi(String url, CertKey key, String payload) {
        ConnectionConfig.Builder config = ConnectionConfig.builder();
        if (key != null) {
            config.secureSocket(SecureSocket.defaultTrust().withKey(key));
        }
        MqttClient client = MqttClient.connect(url, "t6-api", ClientConfig.of(config.build()));
        client.subscribe(List.of(Subscription.of(TOPIC, 1)));
        MessageStream stream = client.receive();
        client.publish(TOPIC, Message.of(payload));
        Message m = stream.next(Duration.ofSeconds(10));
        if (m == null) {
            throw new MqttException("no message within 10 s");
        }
        // Not try-with-resources: MqttClient.close() on a connected client throws "Client is
        // connected" today, although contract C7 says it disconnects first.
        client.disconnect();
        client.close();
        return new String(m.payload(), StandardCharsets.UTF_8);
    }

    private static String viaAdapters(String url, CertKey key, String payload) {
        FakeValues.Env env = Bal.setUp();
        BMap<BString, Object> config = key == null ? rec("ClientConfiguration")
                : rec("ClientConfiguration", "connectionConfig", rec("ConnectionConfiguration",
                        "secureSocket", rec("SecureSocket", "key",
                                rec("CertKey", "certFile", key.certFile(), "keyFile", key.keyFile()))));
        BObject client = Bal.object("Client");
        check(ClientAdapter.init(env, client, str(url), str("t6-adapter"), config));
        check(ClientAdapter.subscribe(env, client, str(TOPIC)));
        Object stream = check(ClientAdapter.receive(env, client, new FakeValues.Typedesc(new FakeTypes.Stream())));
        BObject iterator = ((FakeValues.Stream) stream).iterator();
        check(ClientAdapter.publish(env, client, str(TOPIC), message(payload)));
        String got = payload(check(StreamAdapter.next(env, iterator)));
        check(ClientAdapter.disconnect(env, client));
        check(ClientAdapter.close(env, client));
        return got;
    }

    /** An adapter's {@code mqtt:Error} becomes the exception the host API would throw. */
    private static Object check(Object result) {
        if (result instanceof BError e) {
            throw new MqttException(e.getErrorMessage().getValue());
        }
        return result;
    }
}
