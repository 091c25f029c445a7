package io.ballerina.lib.mqtt.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Turns the engine's CONNECTION events of one client into {@link ConnectionEvent}s: logs each one and hands
 * it to the client's {@link ConnectionListener} on the process's connection events thread. The event pump
 * only calls {@link #accept}, which enqueues.
 */
final class ConnectionEvents {
    /** One daemon thread for every client: the events of a client keep their order. */
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mqtt-connection-events");
        thread.setDaemon(true);
        return thread;
    });

    private final String clientId;
    private final ConnectionListener listener;

    ConnectionEvents(String clientId, ConnectionListener listener) {
        this.clientId = clientId;
        this.listener = listener;
    }

    /** From the event pump: never blocks, never runs user code there. */
    void accept(Wire.ConnectionEvent event) {
        ConnectionEvent converted = convert(event);
        if (converted == null) {
            return;
        }
        try {
            THREAD.execute(() -> deliver(event, converted));
        } catch (RejectedExecutionException e) {
            Logs.CONNECTION.log(Level.DEBUG, () -> "connection event of " + clientId + " dropped: " + e);
        }
    }

    private void deliver(Wire.ConnectionEvent event, ConnectionEvent converted) {
        log("client " + clientId, event);
        if (listener == null) {
            return;
        }
        try {
            listener.onEvent(converted);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vm && !(e instanceof StackOverflowError)) {
                throw vm;
            }
            Logs.CONNECTION.log(Level.WARNING, "the connection listener of client " + clientId + " failed on "
                    + converted.kind() + " (it keeps getting events)", e);
        }
    }

    private ConnectionEvent convert(Wire.ConnectionEvent e) {
        ConnectionEvent.Kind kind = switch (e.kind()) {
            case Wire.CONNECTION_LOST -> ConnectionEvent.Kind.CONNECTION_LOST;
            case Wire.CONNECTION_RECONNECTED -> ConnectionEvent.Kind.RECONNECTED;
            case Wire.CONNECTION_SUBSCRIPTION_REFUSED -> ConnectionEvent.Kind.SUBSCRIPTION_REFUSED;
            case Wire.CONNECTION_CONNECTED -> ConnectionEvent.Kind.CONNECTED;
            case Wire.CONNECTION_RECONNECT_ATTEMPT -> ConnectionEvent.Kind.RECONNECT_ATTEMPT;
            case Wire.CONNECTION_SUBSCRIPTIONS_RESTORED -> ConnectionEvent.Kind.SUBSCRIPTIONS_RESTORED;
            case Wire.CONNECTION_DISCONNECTED -> ConnectionEvent.Kind.DISCONNECTED;
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        return new ConnectionEvent(kind, clientId, Instant.now(), e.sessionPresent(), e.isError() ? e.error() : null,
                e.attempt(), Duration.ofMillis(Math.max(0, e.delayMillis())));
    }

    /**
     * Logs a connection event of a client or listener ({@code who}): lost and refused at WARNING,
     * reconnected at INFO, the rest at DEBUG, so a healthy connection is quiet at INFO.
     */
    static void log(String who, Wire.ConnectionEvent e) {
        Level level = switch (e.kind()) {
            case Wire.CONNECTION_LOST, Wire.CONNECTION_SUBSCRIPTION_REFUSED -> Level.WARNING;
            case Wire.CONNECTION_RECONNECTED -> Level.INFO;
            default -> Level.DEBUG;
        };
        if (Logs.CONNECTION.isLoggable(level)) {
            String code = e.reasonCode() < 0 ? "" : " (reason code " + e.reasonCode() + ")";
            Logs.CONNECTION.log(level, who + ": " + e.message() + code);
        }
    }
}
