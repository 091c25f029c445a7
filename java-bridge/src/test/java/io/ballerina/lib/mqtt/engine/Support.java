package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Small helpers shared by the test classes. */
final class Support {
    /** Generous deadline for anything that should happen "soon". */
    static final Duration SOON = Duration.ofSeconds(15);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Support() {
    }

    /** A client id unique within this JVM run. */
    static String id(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    static MqttClient client(String url, String prefix) {
        return MqttClient.connect(url, id(prefix), ClientConfig.defaults());
    }

    /** A client subscribed to {@code filter} at QoS 2 and a stream over its messages. */
    static MqttClient subscriber(String url, String filter) {
        MqttClient c = client(url, "sub");
        c.subscribe(List.of(Subscription.of(filter, 2)));
        return c;
    }

    /** The next message within {@link #SOON}, failing the test otherwise. */
    static Message next(MessageStream stream, String what) {
        Message m = stream.next(SOON);
        assertNotNull(m, "no message within " + SOON + ": " + what);
        return m;
    }

    /** Disconnect (when connected) and close, ignoring failures: test cleanup. */
    static void finish(MqttClient client) {
        if (client == null) {
            return;
        }
        try {
            if (!client.isClosed() && client.isConnected()) {
                client.disconnect();
            }
        } catch (MqttException e) {
            System.err.println("cleanup (disconnect): " + e);
        }
        try {
            client.close();
        } catch (MqttException e) {
            System.err.println("cleanup (close): " + e);
        }
    }

    static void finish(MqttListener listener) {
        if (listener != null) {
            try {
                listener.close();
            } catch (MqttException e) {
                System.err.println("cleanup (listener): " + e);
            }
        }
    }

    static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder();
    }

    static int code(MqttException e) {
        return e.reasonCode().orElse(-1);
    }
}
