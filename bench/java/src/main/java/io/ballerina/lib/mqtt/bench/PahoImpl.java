package io.ballerina.lib.mqtt.bench;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Eclipse Paho Java MQTT 5 (1.2.5), as the released Ballerina module uses it: MqttAsyncClient,
 * in-memory persistence (ours has none either), clean start, keep-alive 60 s, automatic acks.
 */
final class PahoImpl implements Bench.Impl {
    private final String uri;

    PahoImpl(String uri) {
        this.uri = uri;
    }

    @Override
    public String name() {
        return "paho";
    }

    private MqttAsyncClient open(String clientId, MqttCallback callback) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        if (callback != null) {
            client.setCallback(callback);
        }
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion();
        return client;
    }

    /**
     * Paho counts a QoS 0 publish as in flight until its sender thread wrote it, but completes the
     * token earlier: back-to-back publishes can get 32202 (too many in progress) although the
     * benchmark's own window is free. Wait for the sender and retry, as an application must.
     */
    static void busy(MqttException e) throws MqttException {
        if (e.getReasonCode() != 32202) {
            throw e;
        }
        BUSY.incrementAndGet();
        Thread.yield();
    }

    static final java.util.concurrent.atomic.AtomicLong BUSY = new java.util.concurrent.atomic.AtomicLong();

    private static Bench.Conn conn(MqttAsyncClient client) {
        return new Bench.Conn() {
            @Override
            public void publishSync(String topic, byte[] payload, int qos) throws MqttException {
                IMqttToken token;
                while (true) {
                    try {
                        token = client.publish(topic, payload, qos, false);
                        break;
                    } catch (MqttException e) {
                        busy(e);
                    }
                }
                token.waitForCompletion();
            }

            @Override
            public void publishAsync(String topic, byte[] payload, int qos, Runnable done) throws MqttException {
                while (true) {
                    try {
                        publish(topic, payload, qos, done);
                        return;
                    } catch (MqttException e) {
                        busy(e);
                    }
                }
            }

            private void publish(String topic, byte[] payload, int qos, Runnable done) throws MqttException {
                client.publish(topic, payload, qos, false, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        done.run();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable error) {
                        done.run();
                    }
                });
            }

            @Override
            public void close() throws MqttException {
                client.disconnect().waitForCompletion();
                client.close();
            }
        };
    }

    @Override
    public Bench.Conn connect(String clientId) throws MqttException {
        return conn(open(clientId, null));
    }

    @Override
    public Bench.Conn subscribe(String clientId, String topic, int qos, Bench.Receiver receiver) throws MqttException {
        MqttAsyncClient client = open(clientId, new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                System.err.println("paho: " + exception);
            }

            @Override
            public void messageArrived(String t, MqttMessage message) {
                receiver.onMessage(message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        client.subscribe(new MqttSubscription(topic, qos)).waitForCompletion();
        return conn(client);
    }
}
