package io.ballerina.lib.mqtt.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * What happened to the connection of an {@link MqttClient}, as told to its {@link ConnectionListener}
 * (issue 16). Events of one client come on one thread, in the order they happened.
 *
 * @param kind           what happened
 * @param clientId       the client identifier given to {@code connect}
 * @param time           when the Java side received it
 * @param sessionPresent {@link Kind#CONNECTED} and {@link Kind#RECONNECTED}: whether the broker kept the session
 * @param cause          {@link Kind#CONNECTION_LOST} and {@link Kind#SUBSCRIPTION_REFUSED}: why; else null
 * @param attempt        {@link Kind#RECONNECT_ATTEMPT}: the attempt number, from 1 after each loss; else 0
 * @param delay          {@link Kind#RECONNECT_ATTEMPT}: the backoff delay before that attempt; else
 *                       {@link Duration#ZERO}
 */
public record ConnectionEvent(Kind kind, String clientId, Instant time, boolean sessionPresent, MqttException cause,
                              int attempt, Duration delay) {
    /** The kinds of connection events. */
    public enum Kind {
        /** The first connection is up ({@code connect} returns). */
        CONNECTED,
        /** The connection was lost; with automatic reconnect, attempts follow. */
        CONNECTION_LOST,
        /** An automatic reconnect attempt starts after {@link ConnectionEvent#delay()} (C4). */
        RECONNECT_ATTEMPT,
        /** Connected again, automatically or by {@link MqttClient#reconnect()}. */
        RECONNECTED,
        /** The subscriptions re-sent after a reconnect without session were all granted (C4). */
        SUBSCRIPTIONS_RESTORED,
        /** A subscription re-sent after a reconnect was refused (SUBACK reason code at least 0x80). */
        SUBSCRIPTION_REFUSED,
        /** {@link MqttClient#disconnect()} (or close) ended the connection. */
        DISCONNECTED
    }

    /**
     * Checks the required fields.
     *
     * @param kind what happened
     * @param clientId the client identifier
     * @param time when the Java side received it
     * @param sessionPresent whether the broker kept the session
     * @param cause why (lost, refused); else null
     * @param attempt the reconnect attempt number; else 0
     * @param delay the delay before that attempt; else zero
     */
    public ConnectionEvent {
        MqttException.nonNull(kind, "Event kind");
        MqttException.nonNull(time, "Event time");
        delay = delay == null ? Duration.ZERO : delay;
    }
}
