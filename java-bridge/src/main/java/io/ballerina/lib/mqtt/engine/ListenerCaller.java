package io.ballerina.lib.mqtt.engine;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link Caller} of one received message (L3, L5). */
final class ListenerCaller implements Caller {
    static final String RESPONSE_TOPIC_NOT_SET = "Response topic is not set";

    private final Dispatcher dispatcher;
    private final Wire.Received request;
    private final AtomicBoolean acked = new AtomicBoolean();

    ListenerCaller(Dispatcher dispatcher, Wire.Received request) {
        this.dispatcher = dispatcher;
        this.request = request;
    }

    @Override
    public void complete() {
        if (dispatcher.manualAcks()) {
            acknowledge();
        }
    }

    /** After onMessage returned, in automatic mode. */
    void acknowledgeAutomatic() {
        if (!dispatcher.manualAcks()) {
            acknowledge();
        }
    }

    /** Sends the ack once; nothing for QoS 0 (ackSeq -1). */
    void acknowledge() {
        if (request.ackSeq() >= 0 && acked.compareAndSet(false, true)) {
            dispatcher.ack(request.ackEpoch(), request.ackSeq());
        }
    }

    @Override
    public void respond(Message response) {
        MqttException.nonNull(response, "Response message");
        MessageProperties requestProperties = request.message().properties();
        String topic = requestProperties == null ? null : requestProperties.responseTopic();
        if (topic == null || topic.isEmpty()) {
            throw new MqttException(RESPONSE_TOPIC_NOT_SET);
        }
        Message out = response;
        byte[] correlation = requestProperties.correlationDataRef();
        if (correlation != null) {
            MessageProperties p = response.properties() == null ? MessageProperties.empty() : response.properties();
            out = response.withProperties(p.withCorrelationData(correlation));
        }
        // A received response topic is well-formed: it came from the broker as UTF-8.
        byte[] topicUtf8 = topic.getBytes(StandardCharsets.UTF_8);
        byte[] encoded = Wire.encodeMessage(out);
        long handle = dispatcher.handle();
        Wire.Completion done = dispatcher.pump().call(
                requestId -> Native.publish(handle, topicUtf8, encoded, requestId));
        dispatcher.scheduleComplete(MqttClient.token(done, topic));
    }
}
