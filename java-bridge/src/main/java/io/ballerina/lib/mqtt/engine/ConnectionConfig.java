package io.ballerina.lib.mqtt.engine;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Connection settings (contract §2 {@code ConnectionConfiguration} + §7 {@code sessionExpiryInterval}).
 * A null field is absent and takes the contract C2 default: keepAliveInterval 60 s (0 disables),
 * connectionTimeout 30 s (0 = no limit), cleanStart true, automaticReconnect false,
 * maxReconnectDelay 128000 ms, sessionExpiryInterval 0. {@code serverUris}, when given, replace
 * the server URI argument and are tried in order (C3). {@link #toString()} never shows the password.
 *
 * @param maxReconnectDelay     milliseconds
 * @param keepAliveInterval     seconds
 * @param connectionTimeout     seconds
 * @param sessionExpiryInterval seconds
 */
public record ConnectionConfig(String username, String password, SecureSocket secureSocket,
                               Long maxReconnectDelay, Integer keepAliveInterval, Integer connectionTimeout,
                               Boolean cleanStart, List<String> serverUris, Boolean automaticReconnect,
                               Long sessionExpiryInterval) {

    /**
     * Checks and copies the components.
     *
     * @param username the user name
     * @param password its password
     * @param secureSocket TLS settings; null = plain, or default trust for ssl:// (T6)
     * @param maxReconnectDelay milliseconds
     * @param keepAliveInterval seconds; 0 disables keep-alive
     * @param connectionTimeout seconds; 0 = no limit
     * @param cleanStart MQTT 5 Clean Start
     * @param serverUris URIs tried in order (C3)
     * @param automaticReconnect reconnect with backoff when lost (C4)
     * @param sessionExpiryInterval seconds
     */
    public ConnectionConfig {
        if (serverUris != null) {
            MqttException.noNullIn(serverUris, "A server URI in serverUris");
        }
        serverUris = serverUris == null ? null : List.copyOf(serverUris);
    }

    /**
     * All fields absent.
     *
     * @return the configuration
     */
    public static ConnectionConfig defaults() {
        return builder().build();
    }

    /**
     * A builder with every field absent.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this configuration.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.username = username;
        b.password = password;
        b.secureSocket = secureSocket;
        b.maxReconnectDelay = maxReconnectDelay;
        b.keepAliveInterval = keepAliveInterval;
        b.connectionTimeout = connectionTimeout;
        b.cleanStart = cleanStart;
        b.serverUris = serverUris;
        b.automaticReconnect = automaticReconnect;
        b.sessionExpiryInterval = sessionExpiryInterval;
        return b;
    }

    @Override
    public String toString() {
        return "ConnectionConfig[username=" + username + ", password=" + (password == null ? "null" : "***")
                + ", secureSocket=" + secureSocket + ", maxReconnectDelay=" + maxReconnectDelay
                + ", keepAliveInterval=" + keepAliveInterval + ", connectionTimeout=" + connectionTimeout
                + ", cleanStart=" + cleanStart + ", serverUris=" + serverUris
                + ", automaticReconnect=" + automaticReconnect
                + ", sessionExpiryInterval=" + sessionExpiryInterval + "]";
    }

    /** Builder of {@link ConnectionConfig}; every field left unset stays absent (null). */
    public static final class Builder {
        private String username;
        private String password;
        private SecureSocket secureSocket;
        private Long maxReconnectDelay;
        private Integer keepAliveInterval;
        private Integer connectionTimeout;
        private Boolean cleanStart;
        private List<String> serverUris;
        private Boolean automaticReconnect;
        private Long sessionExpiryInterval;

        private Builder() {
        }

        /**
         * The user name of CONNECT.
         *
         * @param value the user name; null = none
         * @return this builder
         */
        public Builder username(String value) {
            this.username = value;
            return this;
        }

        /**
         * The password of CONNECT (never logged nor shown by toString, E3).
         *
         * @param value the password; null = none
         * @return this builder
         */
        public Builder password(String value) {
            this.password = value;
            return this;
        }

        /**
         * User name and password.
         *
         * @param user the user name
         * @param pass the password
         * @return this builder
         */
        public Builder credentials(String user, String pass) {
            this.username = user;
            this.password = pass;
            return this;
        }

        /**
         * TLS settings (§6).
         *
         * @param value the settings; null = none (T6 default trust for ssl:// and wss://)
         * @return this builder
         */
        public Builder secureSocket(SecureSocket value) {
            this.secureSocket = value;
            return this;
        }

        /**
         * The cap of the reconnect backoff (C4).
         *
         * @param value milliseconds; null = absent (128000)
         * @return this builder
         */
        public Builder maxReconnectDelay(Long value) {
            this.maxReconnectDelay = value;
            return this;
        }

        /**
         * The cap of the reconnect backoff (C4).
         *
         * @param millis milliseconds
         * @return this builder
         */
        public Builder maxReconnectDelay(long millis) {
            return maxReconnectDelay(Long.valueOf(millis));
        }

        /**
         * The cap of the reconnect backoff (C4), a fraction of a millisecond rounded up.
         *
         * @param value the delay, not negative
         * @return this builder
         */
        public Builder maxReconnectDelay(Duration value) {
            return maxReconnectDelay(Long.valueOf(Timeouts.millisRoundedUp(value, "maxReconnectDelay")));
        }

        /**
         * The keep-alive interval.
         *
         * @param value seconds; 0 disables keep-alive; null = absent (60)
         * @return this builder
         */
        public Builder keepAliveInterval(Integer value) {
            this.keepAliveInterval = value;
            return this;
        }

        /**
         * The keep-alive interval; a fraction of a second is rounded up (never 0 by rounding).
         *
         * @param value the interval; {@link Duration#ZERO} disables keep-alive
         * @return this builder
         */
        public Builder keepAlive(Duration value) {
            return keepAliveInterval(Integer.valueOf(Timeouts.intSeconds(value, "keepAlive")));
        }

        /**
         * How long a connect may take (C6).
         *
         * @param value seconds; 0 = no limit; null = absent (30)
         * @return this builder
         */
        public Builder connectionTimeout(Integer value) {
            this.connectionTimeout = value;
            return this;
        }

        /**
         * How long a connect may take (C6); a fraction of a second is rounded up.
         *
         * @param value the limit; {@link Duration#ZERO} = no limit
         * @return this builder
         */
        public Builder connectionTimeout(Duration value) {
            return connectionTimeout(Integer.valueOf(Timeouts.intSeconds(value, "connectionTimeout")));
        }

        /**
         * MQTT 5 Clean Start.
         *
         * @param value true = a new session; null = absent (true)
         * @return this builder
         */
        public Builder cleanStart(Boolean value) {
            this.cleanStart = value;
            return this;
        }

        /**
         * Server URIs tried in order at connect and at every reconnect (C3).
         *
         * @param value the URIs; null = the serverUri argument
         * @return this builder
         */
        public Builder serverUris(List<String> value) {
            this.serverUris = value;
            return this;
        }

        /**
         * Server URIs tried in order at connect and at every reconnect (C3).
         *
         * @param values the URIs
         * @return this builder
         */
        public Builder serverUris(String... values) {
            return serverUris(values == null ? null : Arrays.asList(values));
        }

        /**
         * Reconnect with backoff when the connection is lost (C4).
         *
         * @param value true to reconnect; null = absent (false)
         * @return this builder
         */
        public Builder automaticReconnect(Boolean value) {
            this.automaticReconnect = value;
            return this;
        }

        /**
         * How long the broker keeps the session after the connection ends (§7).
         *
         * @param value seconds; null = absent (0)
         * @return this builder
         */
        public Builder sessionExpiryInterval(Long value) {
            this.sessionExpiryInterval = value;
            return this;
        }

        /**
         * How long the broker keeps the session after the connection ends (§7).
         *
         * @param seconds seconds
         * @return this builder
         */
        public Builder sessionExpiryInterval(long seconds) {
            return sessionExpiryInterval(Long.valueOf(seconds));
        }

        /**
         * How long the broker keeps the session after the connection ends (§7); a fraction of a second is
         * rounded up.
         *
         * @param value the expiry
         * @return this builder
         */
        public Builder sessionExpiry(Duration value) {
            return sessionExpiryInterval(Long.valueOf(Timeouts.secondsRoundedUp(value, "sessionExpiry")));
        }

        /**
         * The configuration.
         *
         * @return the configuration
         */
        public ConnectionConfig build() {
            return new ConnectionConfig(username, password, secureSocket, maxReconnectDelay, keepAliveInterval,
                    connectionTimeout, cleanStart, serverUris, automaticReconnect, sessionExpiryInterval);
        }
    }
}
