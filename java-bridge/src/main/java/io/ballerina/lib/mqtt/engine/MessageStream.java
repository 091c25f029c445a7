package io.ballerina.lib.mqtt.engine;

import java.time.Duration;

/**
 * A stream over the messages of an {@link MqttClient}'s subscriptions (contract R1, R2).
 * All streams of a client take from one shared buffer: each message goes to exactly one
 * {@code next} call; closing a stream discards nothing.
 */
public interface MessageStream extends AutoCloseable {
    /** The message of {@code next()} after {@link #close()}: contract R2, exact text. */
    String STREAM_CLOSED = "Stream is closed. Therefore, no operations are allowed further on the stream.";

    /**
     * Waits (in Java) for the next message.
     *
     * @return the message
     * @throws MqttException {@link #STREAM_CLOSED} after this stream was closed (also when it is
     *                       closed while waiting); "Client is closed" with reason code 32111 once the
     *                       client is closed and every message buffered before was handed out
     */
    Message next();

    /**
     * As {@link #next()}, but returns null when no message arrives within {@code timeout}.
     *
     * @param timeout the longest wait
     * @return the message, or null on timeout
     */
    Message next(Duration timeout);

    /**
     * Closes this stream (not the client; other streams keep working).
     *
     * @throws MqttException {@link #STREAM_CLOSED} when it was already closed
     */
    @Override
    void close();
}
