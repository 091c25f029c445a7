package io.ballerina.lib.mqtt.engine;

import java.time.Duration;

/**
 * Configuration of an {@link MqttClient}.
 *
 * <pre>{@code
 * ClientConfig config = ClientConfig.of(ConnectionConfig.builder()
 *         .automaticReconnect(true)
 *         .keepAlive(Duration.ofSeconds(30))
 *         .build())
 *     .withRequestTimeout(Duration.ofSeconds(10));
 * }</pre>
 *
 * @param connectionConfig connection settings; null = contract C2 defaults
 * @param willDetails      the will message; null = none
 * @param requestTimeout   how long the blocking calls without a timeout argument ({@code publish},
 *                         {@code subscribe}, {@code unsubscribe}, {@code disconnect}, {@code reconnect})
 *                         wait before they throw 32000; null = {@link #DEFAULT_REQUEST_TIMEOUT},
 *                         {@link Duration#ZERO} = no limit of the Java side (the engine's own limits stay)
 * @param connectionListener hears connected, lost, reconnect attempts, reconnected, subscriptions restored and
 *                         disconnected ({@link ConnectionEvent}); null = none (the events are still logged)
 */
public record ClientConfig(ConnectionConfig connectionConfig, WillDetails willDetails, Duration requestTimeout,
                           ConnectionListener connectionListener) {
    /** The default wait of every blocking call of {@link MqttClient} without a timeout argument: 60 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Checks the timeout.
     *
     * @param connectionConfig connection settings; null = contract C2 defaults
     * @param willDetails the will; null = none
     * @param requestTimeout the default wait of blocking calls; null = 60 s, ZERO = no limit
     * @param connectionListener hears the connection events; null = none
     */
    public ClientConfig {
        Timeouts.checkOptional(requestTimeout, "requestTimeout");
    }

    /**
     * Connection settings and a will with the default request timeout.
     *
     * @param connectionConfig connection settings; null = defaults
     * @param willDetails      the will; null = none
     */
    public ClientConfig(ConnectionConfig connectionConfig, WillDetails willDetails) {
        this(connectionConfig, willDetails, null, null);
    }

    /**
     * Connection settings, a will and a request timeout, no connection listener.
     *
     * @param connectionConfig connection settings; null = defaults
     * @param willDetails      the will; null = none
     * @param requestTimeout   the default wait; null = {@link #DEFAULT_REQUEST_TIMEOUT}, ZERO = no limit
     */
    public ClientConfig(ConnectionConfig connectionConfig, WillDetails willDetails, Duration requestTimeout) {
        this(connectionConfig, willDetails, requestTimeout, null);
    }

    /**
     * No connection settings (contract C2 defaults), no will, the default request timeout.
     *
     * @return the default configuration
     */
    public static ClientConfig defaults() {
        return new ClientConfig(null, null, null, null);
    }

    /**
     * Only connection settings.
     *
     * @param connectionConfig connection settings; null = defaults
     * @return the configuration
     */
    public static ClientConfig of(ConnectionConfig connectionConfig) {
        return new ClientConfig(connectionConfig, null, null, null);
    }

    /**
     * A copy with another will.
     *
     * @param value the will; null = none
     * @return the copy
     */
    public ClientConfig withWillDetails(WillDetails value) {
        return new ClientConfig(connectionConfig, value, requestTimeout, connectionListener);
    }

    /**
     * A copy with another default wait of the blocking calls.
     *
     * @param value the wait; null = {@link #DEFAULT_REQUEST_TIMEOUT}, {@link Duration#ZERO} = no limit
     * @return the copy
     */
    public ClientConfig withRequestTimeout(Duration value) {
        return new ClientConfig(connectionConfig, willDetails, value, connectionListener);
    }

    /**
     * A copy with another connection listener.
     *
     * @param value the listener; null = none
     * @return the copy
     */
    public ClientConfig withConnectionListener(ConnectionListener value) {
        return new ClientConfig(connectionConfig, willDetails, requestTimeout, value);
    }

    /**
     * The wait that applies: {@link #requestTimeout()} or the default.
     *
     * @return the effective default wait ({@link Duration#ZERO} = no limit)
     */
    public Duration effectiveRequestTimeout() {
        return requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }
}
