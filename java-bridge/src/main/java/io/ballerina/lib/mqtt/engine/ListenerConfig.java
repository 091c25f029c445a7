package io.ballerina.lib.mqtt.engine;

import java.time.Duration;

/**
 * Configuration of an {@link MqttListener}.
 *
 * @param connectionConfig connection settings; null = contract C2 defaults
 * @param manualAcks       false (default): a message is acknowledged after onMessage returns; true:
 *                         only by {@link Caller#complete()} (L3)
 * @param requestTimeout   how long {@link Caller#respond(Message)} waits before it throws 32000; null =
 *                         {@link ClientConfig#DEFAULT_REQUEST_TIMEOUT}, {@link Duration#ZERO} = no limit
 */
public record ListenerConfig(ConnectionConfig connectionConfig, boolean manualAcks, Duration requestTimeout) {
    /**
     * Checks the timeout.
     *
     * @param connectionConfig connection settings; null = contract C2 defaults
     * @param manualAcks true for manual acknowledgements
     * @param requestTimeout the default wait of blocking calls; null = 60 s, ZERO = no limit
     */
    public ListenerConfig {
        Timeouts.checkOptional(requestTimeout, "requestTimeout");
    }

    /**
     * Connection settings and the ack mode, with the default request timeout.
     *
     * @param connectionConfig connection settings; null = defaults
     * @param manualAcks       true for manual acknowledgements
     */
    public ListenerConfig(ConnectionConfig connectionConfig, boolean manualAcks) {
        this(connectionConfig, manualAcks, null);
    }

    /**
     * Contract C2 defaults, automatic acks.
     *
     * @return the default configuration
     */
    public static ListenerConfig defaults() {
        return new ListenerConfig(null, false, null);
    }

    /**
     * Only connection settings (automatic acks).
     *
     * @param connectionConfig connection settings; null = defaults
     * @return the configuration
     */
    public static ListenerConfig of(ConnectionConfig connectionConfig) {
        return new ListenerConfig(connectionConfig, false, null);
    }

    /**
     * A copy with another ack mode.
     *
     * @param newManualAcks true for manual acknowledgements
     * @return the copy
     */
    public ListenerConfig withManualAcks(boolean newManualAcks) {
        return new ListenerConfig(connectionConfig, newManualAcks, requestTimeout);
    }

    /**
     * A copy with another default wait of {@link Caller#respond(Message)}.
     *
     * @param value the wait; null = default, {@link Duration#ZERO} = no limit
     * @return the copy
     */
    public ListenerConfig withRequestTimeout(Duration value) {
        return new ListenerConfig(connectionConfig, manualAcks, value);
    }

    /**
     * The wait that applies: {@link #requestTimeout()} or the default.
     *
     * @return the effective default wait ({@link Duration#ZERO} = no limit)
     */
    public Duration effectiveRequestTimeout() {
        return requestTimeout == null ? ClientConfig.DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }
}
