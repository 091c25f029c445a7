package io.ballerina.lib.mqtt.engine;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An MQTT 5 client (contract §2.1, §8). Every blocking call waits in Java (on a future), never
 * inside native code. Thread-safe: many threads may publish at once (P2).
 *
 * <p>Lifecycle (C7): {@link #close()} disconnects a connected client (bounded wait) and releases
 * it, so the client fits try-with-resources; it never throws. After close every other call throws
 * reason code 32111 and close itself is a no-op. A client that becomes unreachable without close
 * is released by a {@link Cleaner}.
 *
 * <pre>{@code
 * try (MqttClient client = MqttClient.connect("tcp://localhost:1883", "sensor-1", ClientConfig.defaults())) {
 *     client.publish("sensors/1/temperature", "21.5");
 * }
 * }</pre>
 */
public final class MqttClient implements AutoCloseable {
    static final Cleaner CLEANER = Cleaner.create();
    /** How long {@link #close()} on a connected client waits for in-flight QoS 1/2 publishes (the engine's disconnect wait). */
    public static final Duration CLOSE_DISCONNECT_WAIT = Duration.ofSeconds(10);
    /** What close allows the engine beyond its own waits before it releases the handle regardless. */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(5);

    private final EventPump pump;
    private final HandleState state;
    private final ClientInbox inbox;
    private final Cleaner.Cleanable cleanable;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Makes concurrent close calls wait for the one that runs; a lock, not {@code synchronized}, because
     * close waits for the engine (a strand's virtual thread must not pin its carrier meanwhile).
     */
    private final ReentrantLock closeLock = new ReentrantLock();

    private MqttClient(EventPump pump, HandleState state, ClientInbox inbox) {
        this.pump = pump;
        this.state = state;
        this.inbox = inbox;
        this.cleanable = CLEANER.register(this, state);
    }

    /**
     * Connects before returning (C6).
     *
     * @param serverUri tcp://, ssl://, ws://, wss:// (mqtt:// and mqtts:// are aliases); replaced
     *                  by {@code connectionConfig.serverUris} when those are given (C3)
     * @param config    may be null (all defaults)
     * @throws MqttException when the broker cannot be reached, refuses, or TLS fails
     */
    public static MqttClient connect(String serverUri, String clientId, ClientConfig config) {
        // A null serverUri is reported by the encoder unless serverUris replace it (C3).
        MqttException.nonNull(clientId, "Client id");
        ClientConfig c = config == null ? ClientConfig.defaults() : config;
        byte[] options = Wire.encodeOptions(serverUri, clientId, c.connectionConfig(), c.willDetails());
        byte[] noSubscriptions = Wire.encodeSubscriptions(List.of());
        EventPump pump = EventPump.get();
        ClientInbox inbox = new ClientInbox();
        EventPump.Connecting connecting = pump.connect(
                requestId -> Native.connect(options, Native.KIND_CLIENT, false, noSubscriptions, requestId), inbox);
        inbox.setHandle(connecting.handle());
        HandleState state = new HandleState(connecting.handle(), pump);
        awaitConnect(connecting, state);
        return new MqttClient(pump, state, inbox);
    }

    /** Waits for the connect completion; on failure the engine already released the handle. */
    static void awaitConnect(EventPump.Connecting connecting, HandleState state) {
        try {
            EventPump.await(connecting.future());
        } catch (MqttException e) {
            if (Thread.currentThread().isInterrupted()) {
                // Nobody will own the handle: release it whatever the outcome.
                connecting.future().whenComplete((ok, error) -> state.release());
            } else {
                state.markReleased();
            }
            throw e;
        }
    }

    /** The native handle (for the adapters and tests). */
    long handle() {
        return state.handle;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw MqttException.closed();
        }
    }

    /** Publishes and waits until delivered as the QoS promises (P1): PUBACK for 1, PUBCOMP for 2. */
    public DeliveryToken publish(String topic, Message message) {
        checkOpen();
        MqttException.nonNull(topic, "Topic");
        MqttException.nonNull(message, "Message");
        return token(pump.publish(state.handle, topicUtf8(topic), Wire.encodeMessage(message)), topic);
    }

    /**
     * Publishes without waiting. The future fails with an {@link MqttException}. Its dependent
     * actions run on the engine's publish completions thread ({@code mqtt-engine-completions}),
     * one at a time and never on the event pump: keep them short, or use the {@code *Async}
     * variants with an executor for work that blocks. A publish the engine completed during this
     * call (QoS 0 written at once, or refused) returns a completed future, whose dependents run
     * on the thread that registers them, as for any completed future.
     */
    public CompletableFuture<DeliveryToken> publishAsync(String topic, Message message) {
        checkOpen();
        CompletableFuture<Wire.Completion> future = startPublish(topic, message);
        CompletableFuture<DeliveryToken> result = new CompletableFuture<>();
        future.whenComplete((completion, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(token(completion, topic));
            }
        });
        return result;
    }

    private CompletableFuture<Wire.Completion> startPublish(String topic, Message message) {
        MqttException.nonNull(topic, "Topic");
        MqttException.nonNull(message, "Message");
        byte[] topicUtf8 = topicUtf8(topic);
        byte[] encoded = Wire.encodeMessage(message);
        return pump.publishAsync(state.handle, topicUtf8, encoded);
    }

    private static byte[] topicUtf8(String topic) {
        // UTF-8 encoding would turn an unpaired surrogate into '?', another topic.
        Wire.wellFormed(topic, "Topic");
        return topic.getBytes(StandardCharsets.UTF_8);
    }

    static DeliveryToken token(Wire.Completion completion, String topic) {
        return new DeliveryToken(completion.messageId(), topic);
    }

    /** Subscribes; messages are buffered from now on for {@link #receive()} (R1). */
    public void subscribe(List<Subscription> subscriptions) {
        checkOpen();
        MqttException.nonNull(subscriptions, "Subscription list");
        byte[] encoded = Wire.encodeSubscriptions(subscriptions);
        pump.call(requestId -> Native.subscribe(state.handle, encoded, requestId));
    }

    /** Unsubscribes from topic filters. */
    public void unsubscribe(List<String> filters) {
        checkOpen();
        MqttException.nonNull(filters, "Topic filter list");
        String[] array = filters.toArray(new String[0]);
        for (String filter : array) {
            if (filter != null) {
                Wire.wellFormed(filter, "Topic filter");
            }
        }
        pump.call(requestId -> Native.unsubscribe(state.handle, array, requestId));
    }

    /**
     * A new stream over this client's received messages. All streams share one buffer; closing
     * one discards nothing (R2). Once the client is closed, {@code next()} throws 32111.
     */
    public MessageStream receive() {
        checkOpen();
        return inbox.newStream(this);
    }

    /** True when connected; throws 32111 after close. */
    public boolean isConnected() {
        checkOpen();
        int status = Native.status(state.handle);
        if (status == Native.STATUS_CLOSED) {
            throw MqttException.closed();
        }
        return status == Native.STATUS_CONNECTED;
    }

    /** Sends DISCONNECT, waiting a bounded time for in-flight QoS 1/2 publishes (C7). */
    public void disconnect() {
        checkOpen();
        pump.call(requestId -> Native.disconnect(state.handle, requestId));
    }

    /** Connects a disconnected client again; returns when connected or failed. */
    public void reconnect() {
        checkOpen();
        pump.call(requestId -> Native.reconnect(state.handle, requestId));
    }

    /**
     * Releases every native resource (C7, Java host API). Works in try-with-resources: on a connected
     * client it first disconnects, waiting at most {@link #CLOSE_DISCONNECT_WAIT} for in-flight QoS 1/2
     * publishes, then releases. It never throws: a failure on the way (the broker gone, the wait
     * exceeded, an interrupt) is logged at DEBUG and the handle is released all the same, so close
     * never masks the exception of a try block. After close every other call throws 32111; a second
     * close is a no-op. (The Ballerina {@code close()} keeps 1.4.1's 32100 while connected: its
     * adapter checks {@link #isConnected()} first.)
     */
    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        closeLock.lock();
        try {
            if (closed.get()) {
                return;
            }
            closeReleasing();
        } finally {
            closeLock.unlock();
        }
    }

    /** Disconnects when connected, then closes natively; falls back to a forced release. Never throws. */
    private void closeReleasing() {
        boolean released = false;
        try {
            if (Native.status(state.handle) == Native.STATUS_CONNECTED) {
                EventPump.await(pump.submit(requestId -> Native.disconnect(state.handle, requestId)),
                        CLOSE_DISCONNECT_WAIT.plus(CLOSE_MARGIN), "the disconnect of close()");
            }
            EventPump.await(pump.submit(requestId -> Native.close(state.handle, requestId)), CLOSE_MARGIN,
                    "close()");
            released = true;
        } catch (MqttException | LinkageError e) {
            Logs.CONNECTION.log(System.Logger.Level.DEBUG,
                    () -> "close of client handle " + state.handle + " releases it without a clean close: " + e);
        } finally {
            closed.set(true);
            if (released) {
                state.markReleased();
            } else {
                state.release();
            }
            inbox.end();
            cleanable.clean();
        }
    }

    /** True once {@link #close()} ran (it always succeeds). */
    public boolean isClosed() {
        return closed.get();
    }
}
