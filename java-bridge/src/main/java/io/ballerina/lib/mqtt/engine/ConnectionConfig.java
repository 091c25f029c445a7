package io.ballerina.lib.mqtt.engine;

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

    public ConnectionConfig {
        if (serverUris != null && Wire.containsNull(serverUris)) {
            throw new MqttException("A server URI in serverUris is null");
        }
        serverUris = serverUris == null ? null : List.copyOf(serverUris);
    }

    /** All fields absent. */
    public static ConnectionConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
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

        public Builder username(String value) {
            this.username = value;
            return this;
        }

        public Builder password(String value) {
            this.password = value;
            return this;
        }

        public Builder credentials(String user, String pass) {
            this.username = user;
            this.password = pass;
            return this;
        }

        public Builder secureSocket(SecureSocket value) {
            this.secureSocket = value;
            return this;
        }

        /** Milliseconds. */
        public Builder maxReconnectDelay(Long value) {
            this.maxReconnectDelay = value;
            return this;
        }

        /** Seconds; 0 disables keep-alive. */
        public Builder keepAliveInterval(Integer value) {
            this.keepAliveInterval = value;
            return this;
        }

        /** Seconds; 0 = no limit. */
        public Builder connectionTimeout(Integer value) {
            this.connectionTimeout = value;
            return this;
        }

        public Builder cleanStart(Boolean value) {
            this.cleanStart = value;
            return this;
        }

        public Builder serverUris(List<String> value) {
            this.serverUris = value;
            return this;
        }

        public Builder automaticReconnect(Boolean value) {
            this.automaticReconnect = value;
            return this;
        }

        /** Seconds. */
        public Builder sessionExpiryInterval(Long value) {
            this.sessionExpiryInterval = value;
            return this;
        }

        public ConnectionConfig build() {
            return new ConnectionConfig(username, password, secureSocket, maxReconnectDelay, keepAliveInterval,
                    connectionTimeout, cleanStart, serverUris, automaticReconnect, sessionExpiryInterval);
        }
    }
}
