package io.ballerina.lib.mqtt.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A snapshot of the counters of one {@link MqttClient} or {@link MqttListener} connection, kept in the engine
 * and read in one call ({@link MqttClient#metrics()}, {@link MqttListener#metrics()}); the same values are the
 * attributes of the connection's JMX MBean ({@link MqttMetricsMXBean}). Counters start at 0 at connect and
 * never go back; "published" counts the publish calls that reached the engine's protocol core (argument
 * checks that fail earlier are not counted), so {@code published(q) == acknowledged(q) + failed(q)} once
 * nothing is {@link #inFlight() in flight} or {@link #queued() queued}.
 *
 * <pre>{@code
 * Metrics m = client.metrics();
 * System.out.println(m.state() + ": " + m.acknowledged(1) + " QoS 1 acknowledged, " + m.inFlight() + " in flight");
 * }</pre>
 */
public final class Metrics {
    /** Where the connection is. */
    public enum State {
        /** Connecting for the first time. */
        CONNECTING,
        /** Connected. */
        CONNECTED,
        /** Lost, reconnecting automatically. */
        RECONNECTING,
        /** Disconnected (by {@code disconnect}, or lost without automatic reconnect). */
        DISCONNECTED,
        /** Closed. */
        CLOSED
    }

    private final State state;
    private final long[] published;
    private final long[] acknowledged;
    private final long[] failed;
    private final long[] received;
    private final long duplicatesReceived;
    private final long bytesIn;
    private final long bytesOut;
    private final long inFlight;
    private final long queued;
    private final long reconnectAttempts;
    private final long reconnects;
    private final Duration timeConnected;
    private final int lastErrorCode;
    private final String lastErrorMessage;

    private Metrics(ByteBuffer in) {
        int s = in.get();
        State[] states = State.values();
        state = s >= 0 && s < states.length ? states[s] : State.CLOSED;
        published = three(in);
        acknowledged = three(in);
        failed = three(in);
        received = three(in);
        duplicatesReceived = in.getLong();
        bytesIn = in.getLong();
        bytesOut = in.getLong();
        inFlight = in.getLong();
        queued = in.getLong();
        reconnectAttempts = in.getLong();
        reconnects = in.getLong();
        timeConnected = Duration.ofMillis(in.getLong());
        lastErrorCode = in.getInt();
        int length = in.getInt();
        if (length < 0) {
            lastErrorMessage = null;
        } else {
            byte[] text = new byte[length];
            in.get(text);
            lastErrorMessage = new String(text, StandardCharsets.UTF_8);
        }
    }

    private static long[] three(ByteBuffer in) {
        return new long[] {in.getLong(), in.getLong(), in.getLong()};
    }

    /** Decodes the engine's snapshot (docs/bridge.md, "metrics"); null stays null (a released handle). */
    static Metrics decode(byte[] snapshot) {
        if (snapshot == null) {
            return null;
        }
        try {
            return new Metrics(ByteBuffer.wrap(snapshot));
        } catch (BufferUnderflowException e) {
            throw new MqttException("Malformed metrics snapshot from the MQTT engine (" + snapshot.length + " bytes)");
        }
    }

    private static int qos(int qos) {
        if (qos < 0 || qos > 2) {
            throw MqttException.invalidArgument("Invalid QoS " + qos + ": must be 0, 1 or 2");
        }
        return qos;
    }

    private static long sum(long[] counters) {
        return counters[0] + counters[1] + counters[2];
    }

    /**
     * The connection state when the snapshot was taken.
     *
     * @return the state
     */
    public State state() {
        return state;
    }

    /**
     * Publish calls at {@code qos} that reached the engine.
     *
     * @param qos 0, 1 or 2
     * @return the count
     */
    public long published(int qos) {
        return published[qos(qos)];
    }

    /**
     * Publishes at {@code qos} delivered as the QoS promises (QoS 0 written, 1 PUBACK, 2 PUBCOMP).
     *
     * @param qos 0, 1 or 2
     * @return the count
     */
    public long acknowledged(int qos) {
        return acknowledged[qos(qos)];
    }

    /**
     * Publishes at {@code qos} that failed (refused, not connected, abandoned, failed at disconnect or close).
     *
     * @param qos 0, 1 or 2
     * @return the count
     */
    public long failed(int qos) {
        return failed[qos(qos)];
    }

    /**
     * Messages received at {@code qos} and handed to the application (duplicates not counted).
     *
     * @param qos 0, 1 or 2
     * @return the count
     */
    public long received(int qos) {
        return received[qos(qos)];
    }

    /**
     * All publish calls that reached the engine.
     *
     * @return the sum over the QoS levels
     */
    public long published() {
        return sum(published);
    }

    /**
     * All acknowledged publishes.
     *
     * @return the sum over the QoS levels
     */
    public long acknowledged() {
        return sum(acknowledged);
    }

    /**
     * All failed publishes.
     *
     * @return the sum over the QoS levels
     */
    public long failed() {
        return sum(failed);
    }

    /**
     * All received messages.
     *
     * @return the sum over the QoS levels
     */
    public long received() {
        return sum(received);
    }

    /**
     * Copies of a message already received (redelivered with the same packet id) that were not delivered again.
     *
     * @return the count
     */
    public long duplicatesReceived() {
        return duplicatesReceived;
    }

    /**
     * Bytes of whole MQTT packets read from the broker.
     *
     * @return the count
     */
    public long bytesIn() {
        return bytesIn;
    }

    /**
     * Bytes written to the broker.
     *
     * @return the count
     */
    public long bytesOut() {
        return bytesOut;
    }

    /**
     * QoS 1/2 publishes sent and not yet acknowledged.
     *
     * @return the gauge
     */
    public long inFlight() {
        return inFlight;
    }

    /**
     * Publishes waiting to be sent (the in-flight window is full, or reconnecting).
     *
     * @return the gauge
     */
    public long queued() {
        return queued;
    }

    /**
     * Automatic reconnect attempts (C4).
     *
     * @return the count
     */
    public long reconnectAttempts() {
        return reconnectAttempts;
    }

    /**
     * Reconnects that succeeded, automatic or by {@code reconnect()}.
     *
     * @return the count
     */
    public long reconnects() {
        return reconnects;
    }

    /**
     * Time connected since the first connect, the live connection included.
     *
     * @return the duration
     */
    public Duration timeConnected() {
        return timeConnected;
    }

    /**
     * The reason code of the last failure (a lost connection, a failed reconnect or publish), if it had one.
     *
     * @return the code, or empty
     */
    public OptionalInt lastErrorCode() {
        return lastErrorCode < 0 ? OptionalInt.empty() : OptionalInt.of(lastErrorCode);
    }

    /**
     * The message of the last failure.
     *
     * @return the message, or empty when nothing failed
     */
    public Optional<String> lastErrorMessage() {
        return Optional.ofNullable(lastErrorMessage);
    }

    @Override
    public String toString() {
        return "Metrics[state=" + state + ", published=" + published() + ", acknowledged=" + acknowledged()
                + ", failed=" + failed() + ", received=" + received() + ", duplicatesReceived=" + duplicatesReceived
                + ", bytesIn=" + bytesIn + ", bytesOut=" + bytesOut + ", inFlight=" + inFlight + ", queued=" + queued
                + ", reconnectAttempts=" + reconnectAttempts + ", reconnects=" + reconnects + ", timeConnected="
                + timeConnected + ", lastError=" + (lastErrorMessage == null ? "none" : lastErrorCode + " "
                + lastErrorMessage) + "]";
    }
}
