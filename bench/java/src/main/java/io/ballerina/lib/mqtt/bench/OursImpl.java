package io.ballerina.lib.mqtt.bench;

import io.ballerina.lib.mqtt.engine.Caller;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageHandler;
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.lib.mqtt.engine.MqttListener;
import io.ballerina.lib.mqtt.engine.Subscription;

import java.util.List;

/** Our Java host API (Java → JNI → Rust engine), contract defaults (no persistence, clean start). */
final class OursImpl implements Bench.Impl {
    private final String uri;

    OursImpl(String uri) {
        this.uri = uri;
    }

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public Bench.Conn connect(String clientId) {
        MqttClient client = MqttClient.connect(uri, clientId, null);
        return new Bench.Conn() {
            @Override
            public void publishSync(String topic, byte[] payload, int qos) {
                client.publish(topic, payload, qos);
            }

            @Override
            public void publishAsync(String topic, byte[] payload, int qos, Runnable done) {
                client.publishAsync(topic, payload, qos).whenComplete((t, e) -> done.run());
            }

            @Override
            public void close() {
                client.disconnect();
                client.close();
            }
        };
    }

    @Override
    public Bench.Conn subscribe(String clientId, String topic, int qos, Bench.Receiver receiver) {
        MqttListener listener = MqttListener.connect(uri, clientId, List.of(Subscription.of(topic, qos)), null);
        listener.attach(new MessageHandler() {
            @Override
            public void onMessage(Message message, Caller caller) {
                receiver.onMessage(message.payload());
            }
        });
        listener.start();
        return new Bench.Conn() {
            @Override
            public void publishSync(String t, byte[] payload, int q) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void publishAsync(String t, byte[] payload, int q, Runnable done) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                listener.gracefulStop();
            }
        };
    }
}
