package io.ballerina.lib.mqtt.engine;

import java.time.Duration;

/**
 * Passed to {@link MessageHandler#onMessage}: acknowledges or answers one received message.
 *
 * <pre>{@code
 * listener.attach((request, caller) -> {
 *     caller.respond(Message.of("pong"));   // to the request's response topic, with its correlation data
 *     caller.complete();                    // the ack, in manual-ack mode
 * });
 * }</pre>
 */
public interface Caller {
    /**
     * Acknowledges the message in manual-ack mode; a harmless no-op in automatic mode and on a
     * second call (L3). Never blocks.
     */
    void complete();

    /**
     * Publishes {@code response} to the request's response topic with the request's correlation
     * data (L5); returns when delivered as its QoS promises (at most the listener's
     * {@link ListenerConfig#requestTimeout() request timeout}, default 60 s), then
     * {@code onComplete(token)} is scheduled on the dispatch thread.
     *
     * @param response the response message
     * @throws MqttException "Response topic is not set" when the request has none, or the publish failure
     */
    void respond(Message response);

    /**
     * As {@link #respond(Message)}, waiting at most {@code timeout}.
     *
     * @param response the response message
     * @param timeout  the longest wait; {@link Duration#ZERO} = no limit
     * @throws MqttException as {@link #respond(Message)}; 32000 when the wait passed
     */
    void respond(Message response, Duration timeout);
}
