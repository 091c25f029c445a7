package io.ballerina.lib.mqtt.engine;

import java.util.OptionalInt;

/**
 * Every failure of the MQTT host API (contract E1). {@link #reasonCode()} carries the MQTT 5
 * reason code given by the broker, or one of the client-side codes of contract E2
 * (32000 timeout, 32100 connected, 32101 disconnected, 32103 unable to connect,
 * 32104 not connected, 32109 connection lost, 32110 connect in progress, 32111 closed,
 * 32202 too many publishes in progress).
 */
public class MqttException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Client-side reason codes of contract E2. */
    public static final int TIMEOUT = 32000;
    public static final int CLIENT_CONNECTED = 32100;
    public static final int CLIENT_DISCONNECTED = 32101;
    public static final int SERVER_CONNECT_ERROR = 32103;
    public static final int CLIENT_NOT_CONNECTED = 32104;
    /** The broker broke the MQTT protocol; the client closed the connection (P5). */
    public static final int PROTOCOL_VIOLATION = 32108;
    public static final int CONNECTION_LOST = 32109;
    public static final int CONNECT_IN_PROGRESS = 32110;
    public static final int CLIENT_CLOSED = 32111;
    /** An argument or configuration value is invalid; nothing was sent (P5). */
    public static final int INVALID_ARGUMENT = 32120;
    public static final int MAX_INFLIGHT = 32202;
    /** The broker closed the connection each time this publish was sent: given up (C8). */
    public static final int PUBLISH_ABANDONED = 32205;
    /** The packet would exceed the MQTT maximum or the broker's Maximum Packet Size (P5). */
    public static final int PACKET_TOO_LARGE = 51002;

    /** -1 = none. */
    private final int reasonCode;

    public MqttException(String message) {
        this(message, -1, null);
    }

    public MqttException(String message, int reasonCode) {
        this(message, reasonCode, null);
    }

    public MqttException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    /** @param reasonCode the reason code, or a negative number for none */
    public MqttException(String message, int reasonCode, Throwable cause) {
        super(message, cause);
        this.reasonCode = reasonCode < 0 ? -1 : reasonCode;
    }

    /** The MQTT 5 or client-side reason code, when there is one. */
    public OptionalInt reasonCode() {
        return reasonCode < 0 ? OptionalInt.empty() : OptionalInt.of(reasonCode);
    }

    /**
     * A null argument or field: an MqttException naming it rather than a NullPointerException
     * (contract E1: every failure of the host API is an MqttException).
     */
    static <T> T nonNull(T value, String what) {
        if (value == null) {
            throw new MqttException(what + " must not be null");
        }
        return value;
    }

    static MqttException closed() {
        return new MqttException("Client is closed", CLIENT_CLOSED);
    }
}
