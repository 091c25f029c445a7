package io.ballerina.lib.mqtt.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    /**
     * After onMessage returned (or when no handler takes the message): acknowledges when {@code acknowledge}
     * (automatic mode, or nobody to ack it), and gives back the message's credit, in one engine call.
     */
    void finishDispatch(boolean acknowledge) {
        boolean ack = acknowledge && claimAck();
        dispatcher.settle(ack ? request.ackEpoch() : 0, ack ? request.ackSeq() : -1, 1);
    }

    /** Sends the ack once; nothing for QoS 0 (ackSeq -1). */
    void acknowledge() {
        if (claimAck()) {
            dispatcher.settle(request.ackEpoch(), request.ackSeq(), 0);
        }
    }

    /** True once, for the first caller, when there is anything to acknowledge. */
    private boolean claimAck() {
        return request.ackSeq() >= 0 && acked.compareAndSet(false, true);
    }

    @Override
    public void respond(Message response) {
        respond(response, dispatcher.requestTimeout());
    }

    @Override
    public void respond(Message response, Duration timeout) {
        MqttException.nonNull(response, "Response message");
        Timeouts.check(timeout, "Respond timeout");
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
        long handle = dispatcher.handle();
        DeliveryToken done = dispatcher.pump().publish(handle, Wire.outgoing(topicUtf8, out), topic, timeout,
                "the response to " + topic);
        dispatcher.scheduleComplete(done);
    }
}
