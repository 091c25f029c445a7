package io.ballerina.lib.mqtt.engine;

import java.util.OptionalInt;

/**
 * Every failure of the MQTT host API (contract E1). {@link #reasonCode()} carries the MQTT 5
 * reason code given by the broker (for example 134 bad user name or password, 135 not authorized),
 * or one of the client-side codes of contract E2, defined here as constants, so callers branch on
 * codes rather than on message text:
 *
 * <pre>{@code
 * try {
 *     client.publish("a/b", Message.of("x"));
 * } catch (MqttException e) {
 *     if (e.reasonCode().orElse(-1) == MqttException.CLIENT_NOT_CONNECTED) {
 *         client.reconnect();
 *     }
 * }
 * }</pre>
 */
public class MqttException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** 32000: timed out waiting for the broker (or for a call's timeout). */
    public static final int TIMEOUT = 32000;
    /** 32100: the client is (still) connected. */
    public static final int CLIENT_CONNECTED = 32100;
    /** 32101: the client is disconnected (a disconnect is in progress or ended in-flight publishes). */
    public static final int CLIENT_DISCONNECTED = 32101;
    /** 32103: unable to connect to the broker. */
    public static final int SERVER_CONNECT_ERROR = 32103;
    /** 32104: the client is not connected. */
    public static final int CLIENT_NOT_CONNECTED = 32104;
    /** 32108: the broker broke the MQTT protocol; the engine closed the connection (P5). */
    public static final int PROTOCOL_VIOLATION = 32108;
    /** 32109: connection lost. */
    public static final int CONNECTION_LOST = 32109;
    /** 32110: a connect is already in progress. */
    public static final int CONNECT_IN_PROGRESS = 32110;
    /** 32111: the client (or listener) is closed. */
    public static final int CLIENT_CLOSED = 32111;
    /**
     * 32120: an argument or configuration value is invalid (null, negative, out of range, a bad topic or
     * QoS, a field above its MQTT limit); nothing was sent (P3, P5).
     */
    public static final int INVALID_ARGUMENT = 32120;
    /** 32202: too many publishes in progress. */
    public static final int MAX_INFLIGHT = 32202;
    /** 32205: the broker closed the connection every time this publish was sent; given up (C8). */
    public static final int PUBLISH_ABANDONED = 32205;
    /** 51002: the packet would exceed 268,435,455 bytes or the broker's Maximum Packet Size (P5). */
    public static final int PACKET_TOO_LARGE = 51002;

    /** -1 = none. */
    private final int reasonCode;

    /**
     * A failure without a reason code.
     *
     * @param message what failed
     */
    public MqttException(String message) {
        this(message, -1, null);
    }

    /**
     * A failure with a reason code.
     *
     * @param message    what failed
     * @param reasonCode the reason code, or a negative number for none
     */
    public MqttException(String message, int reasonCode) {
        this(message, reasonCode, null);
    }

    /**
     * A failure with a cause and no reason code.
     *
     * @param message what failed
     * @param cause   the underlying exception
     */
    public MqttException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    /**
     * A failure with a reason code and a cause.
     *
     * @param message    what failed
     * @param reasonCode the reason code, or a negative number for none
     * @param cause      the underlying exception, may be null
     */
    public MqttException(String message, int reasonCode, Throwable cause) {
        super(message, cause);
        this.reasonCode = reasonCode < 0 ? -1 : reasonCode;
    }

    /**
     * The MQTT 5 or client-side reason code, when there is one.
     *
     * @return the code, or empty
     */
    public OptionalInt reasonCode() {
        return reasonCode < 0 ? OptionalInt.empty() : OptionalInt.of(reasonCode);
    }

    /**
     * A null argument or field: an MqttException naming it rather than a NullPointerException
     * (contract E1: every failure of the host API is an MqttException), with code 32120.
     */
    static <T> T nonNull(T value, String what) {
        if (value == null) {
            throw invalidArgument(what + " must not be null");
        }
        return value;
    }

    /** A list with a null element: an MqttException (32120) saying "{what} is null". */
    static void noNullIn(java.util.List<?> list, String what) {
        for (Object element : list) {
            if (element == null) {
                throw invalidArgument(what + " is null");
            }
        }
    }

    /** An invalid argument (32120): nothing was sent. */
    static MqttException invalidArgument(String message) {
        return new MqttException(message, INVALID_ARGUMENT);
    }

    static MqttException closed() {
        return new MqttException("Client is closed", CLIENT_CLOSED);
    }
}
