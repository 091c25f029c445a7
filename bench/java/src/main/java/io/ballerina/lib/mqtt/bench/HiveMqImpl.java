package io.ballerina.lib.mqtt.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import java.util.concurrent.TimeUnit;

/**
 * The HiveMQ MQTT client 1.3.7 (MQTT 5), used as its documentation shows: one client per
 * connection, the blocking flavour for a synchronous publish, the async flavour (CompletableFuture)
 * for pipelined publishes and a subscription with a callback. Clean start, keep-alive 60 s, no
 * automatic reconnect, all else default: the client sets TCP_NODELAY on its socket itself, its
 * send maximum is the broker's Receive Maximum (20 here, the same window as the others), and it
 * delivers callbacks and completes futures on its own threads (Netty event loop and the RxJava
 * computation scheduler). Note: 1.3.7 completes a QoS 2 publish when the PUBREC arrives
 * (the PUBREL/PUBCOMP exchange continues in the background, holding the packet id); ours and Paho
 * complete at PUBCOMP.
 */
final class HiveMqImpl implements Bench.Impl {
    private static final long TIMEOUT_S = 60;

    private final String host;
    private final int port;

    HiveMqImpl(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public String name() {
        return "hivemq";
    }

    private Mqtt5AsyncClient open(String clientId) throws Exception {
        Mqtt5AsyncClient client = Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost(host)
                .serverPort(port)
                .buildAsync();
        client.connectWith()
                .cleanStart(true)
                .keepAlive(60)
                .send()
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        return client;
    }

    private static MqttQos qos(int qos) {
        return MqttQos.fromCode(qos);
    }

    private static Bench.Conn conn(Mqtt5AsyncClient async) {
        Mqtt5BlockingClient blocking = async.toBlocking();
        return new Bench.Conn() {
            @Override
            public void publishSync(String topic, byte[] payload, int q) throws Exception {
                Mqtt5PublishResult result = blocking.publishWith().topic(topic).qos(qos(q)).payload(payload).send();
                if (result.getError().isPresent()) {
                    throw new IllegalStateException("hivemq publish failed", result.getError().get());
                }
            }

            @Override
            public void publishAsync(String topic, byte[] payload, int q, Runnable done) {
                async.publishWith().topic(topic).qos(qos(q)).payload(payload).send()
                        .whenComplete((result, error) -> done.run());
            }

            @Override
            public void close() throws Exception {
                async.disconnect().get(TIMEOUT_S, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public Bench.Conn connect(String clientId) throws Exception {
        return conn(open(clientId));
    }

    @Override
    public Bench.Conn subscribe(String clientId, String topic, int q, Bench.Receiver receiver) throws Exception {
        Mqtt5AsyncClient client = open(clientId);
        client.subscribeWith()
                .topicFilter(topic)
                .qos(qos(q))
                .callback(publish -> receiver.onMessage(publish.getPayloadAsBytes()))
                .send()
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        return conn(client);
    }
}
