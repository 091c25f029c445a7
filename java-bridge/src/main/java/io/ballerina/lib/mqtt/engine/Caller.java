package io.ballerina.lib.mqtt.engine;

/** Passed to {@link MessageHandler#onMessage}: acknowledges or answers one received message. */
public interface Caller {
    /**
     * Acknowledges the message in manual-ack mode; a harmless no-op in automatic mode and on a
     * second call (L3). Never blocks.
     */
    void complete();

    /**
     * Publishes {@code response} to the request's response topic with the request's correlation
     * data (L5); returns when delivered as its QoS promises, then {@code onComplete(token)} is
     * scheduled on the dispatch thread.
     *
     * @throws MqttException "Response topic is not set" when the request has none, or the publish failure
     */
    void respond(Message response);
}
