package io.ballerina.lib.mqtt.engine;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
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

    /** The wait of the blocking calls without a timeout argument ({@link Duration#ZERO} = no limit). */
    private final Duration requestTimeout;

    private MqttClient(EventPump pump, HandleState state, ClientInbox inbox, Duration requestTimeout) {
        this.pump = pump;
        this.state = state;
        this.inbox = inbox;
        this.requestTimeout = requestTimeout;
        this.cleanable = CLEANER.register(this, state);
    }

    /**
     * Connects with the contract C2 defaults before returning (C6).
     *
     * @param serverUri tcp://, ssl://, ws://, wss:// (mqtt:// and mqtts:// are aliases)
     * @param clientId  the client identifier
     * @return the connected client
     * @throws MqttException when the broker cannot be reached, refuses, or TLS fails
     */
    public static MqttClient connect(String serverUri, String clientId) {
        return connect(serverUri, clientId, ClientConfig.defaults());
    }

    /**
     * Connects before returning (C6).
     *
     * @param serverUri tcp://, ssl://, ws://, wss:// (mqtt:// and mqtts:// are aliases); replaced
     *                  by {@code connectionConfig.serverUris} when those are given (C3)
     * @param clientId  the client identifier
     * @param config    may be null (all defaults)
     * @return the connected client
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
        inbox.setConnectionEvents(new ConnectionEvents(clientId, c.connectionListener()));
        EventPump.Connecting connecting = pump.connect(
                requestId -> Native.connect(options, Native.KIND_CLIENT, noSubscriptions, requestId), inbox);
        inbox.setHandle(connecting.handle());
        HandleState state = new HandleState(connecting.handle(), pump);
        awaitConnect(connecting, state);
        state.setMBean(MetricsMBeans.register("MqttClient", clientId, state.handle));
        return new MqttClient(pump, state, inbox, c.effectiveRequestTimeout());
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

    /**
     * Publishes and waits until delivered as the QoS promises (P1): PUBACK for 1, PUBCOMP for 2; at most
     * the client's {@link ClientConfig#requestTimeout() request timeout} (default 60 s).
     *
     * @param topic   the topic (no wildcards)
     * @param message the message
     * @return the token: packet identifier (0 for QoS 0) and topic
     * @throws MqttException the failure; 32000 when the wait passed (the publish may still be delivered)
     */
    public DeliveryToken publish(String topic, Message message) {
        return publish(topic, message, requestTimeout);
    }

    /**
     * Publishes and waits at most {@code timeout} until delivered as the QoS promises (P1).
     *
     * @param topic   the topic (no wildcards)
     * @param message the message
     * @param timeout the longest wait; {@link Duration#ZERO} = no limit
     * @return the token: packet identifier (0 for QoS 0) and topic
     * @throws MqttException the failure; 32000 when the wait passed (the publish may still be delivered)
     */
    public DeliveryToken publish(String topic, Message message, Duration timeout) {
        checkOpen();
        MqttException.nonNull(topic, "Topic");
        MqttException.nonNull(message, "Message");
        Timeouts.check(timeout, "Publish timeout");
        return publish(topic, Wire.outgoing(topicUtf8(topic), message), timeout);
    }

    private DeliveryToken publish(String topic, Wire.Outgoing message, Duration timeout) {
        return pump.publish(state.handle, message, topic, timeout, "the publish to " + topic);
    }

    /**
     * Publishes {@code payload} at QoS 1, not retained, and waits for the PUBACK.
     *
     * @param topic   the topic
     * @param payload the payload bytes
     * @return the token
     */
    public DeliveryToken publish(String topic, byte[] payload) {
        return publish(topic, payload, 1);
    }

    /**
     * Publishes {@code payload} at {@code qos}, not retained, and waits as the QoS promises.
     *
     * @param topic   the topic
     * @param payload the payload bytes
     * @param qos     0, 1 or 2
     * @return the token
     */
    public DeliveryToken publish(String topic, byte[] payload, int qos) {
        checkOpen();
        MqttException.nonNull(topic, "Topic");
        MqttException.nonNull(payload, "Message payload");
        // No Message in between: the engine copies the caller's array during the call, the one copy.
        return publish(topic, Wire.outgoing(topicUtf8(topic), payload, qos), requestTimeout);
    }

    /**
     * Publishes {@code payload} as UTF-8 at QoS 1, not retained, and waits for the PUBACK.
     *
     * @param topic   the topic
     * @param payload the payload text
     * @return the token
     */
    public DeliveryToken publish(String topic, String payload) {
        return publish(topic, payload, 1);
    }

    /**
     * Publishes {@code payload} as UTF-8 at {@code qos}, not retained, and waits as the QoS promises.
     *
     * @param topic   the topic
     * @param payload the payload text
     * @param qos     0, 1 or 2
     * @return the token
     */
    public DeliveryToken publish(String topic, String payload, int qos) {
        return publish(topic, MqttException.nonNull(payload, "Message payload").getBytes(StandardCharsets.UTF_8), qos);
    }

    /**
     * Publishes without waiting. The future fails with an {@link MqttException}. Its dependent
     * actions run on the engine's publish completions thread ({@code mqtt-engine-completions}),
     * one at a time and never on the event pump: keep them short, or use the {@code *Async}
     * variants with an executor for work that blocks. A publish the engine completed during this
     * call (QoS 0 written at once, or refused) returns a completed future, whose dependents run
     * on the thread that registers them, as for any completed future. No timeout applies (use
     * {@link CompletableFuture#orTimeout}).
     *
     * @param topic   the topic (no wildcards)
     * @param message the message
     * @return the future token
     */
    public CompletableFuture<DeliveryToken> publishAsync(String topic, Message message) {
        checkOpen();
        MqttException.nonNull(topic, "Topic");
        MqttException.nonNull(message, "Message");
        return publishAsync(topic, Wire.outgoing(topicUtf8(topic), message));
    }

    /**
     * Publishes {@code payload} at {@code qos}, not retained, without waiting; as
     * {@link #publishAsync(String, Message)}.
     *
     * @param topic   the topic (no wildcards)
     * @param payload the payload bytes (copied during the call)
     * @param qos     0, 1 or 2
     * @return the future token
     */
    public CompletableFuture<DeliveryToken> publishAsync(String topic, byte[] payload, int qos) {
        checkOpen();
        MqttException.nonNull(topic, "Topic");
        MqttException.nonNull(payload, "Message payload");
        return publishAsync(topic, Wire.outgoing(topicUtf8(topic), payload, qos));
    }

    private CompletableFuture<DeliveryToken> publishAsync(String topic, Wire.Outgoing message) {
        return pump.publishAsync(state.handle, message, topic);
    }

    private static byte[] topicUtf8(String topic) {
        // UTF-8 encoding would turn an unpaired surrogate into '?', another topic.
        Wire.wellFormed(topic, "Topic");
        return topic.getBytes(StandardCharsets.UTF_8);
    }


    /**
     * Subscribes and waits for the SUBACK (at most the request timeout); messages are buffered from now on
     * for {@link #receive()} (R1).
     *
     * @param subscriptions the filters with their QoS and options
     */
    public void subscribe(List<Subscription> subscriptions) {
        subscribe(subscriptions, requestTimeout);
    }

    /**
     * Subscribes and waits at most {@code timeout} for the SUBACK.
     *
     * @param subscriptions the filters with their QoS and options
     * @param timeout       the longest wait; {@link Duration#ZERO} = no limit
     */
    public void subscribe(List<Subscription> subscriptions, Duration timeout) {
        checkOpen();
        MqttException.nonNull(subscriptions, "Subscription list");
        Timeouts.check(timeout, "Subscribe timeout");
        byte[] encoded = Wire.encodeSubscriptions(subscriptions);
        EventPump.await(pump.submit(requestId -> Native.subscribe(state.handle, encoded, requestId)), timeout,
                "the SUBACK");
    }

    /**
     * Subscribes to topic filters at QoS 1.
     *
     * @param filters the topic filters
     */
    public void subscribe(String... filters) {
        subscribe(Subscription.ofAll(filters));
    }

    /**
     * Subscribes to one topic filter at {@code qos}.
     *
     * @param filter the topic filter
     * @param qos    0, 1 or 2
     */
    public void subscribe(String filter, int qos) {
        subscribe(List.of(Subscription.of(filter, qos)));
    }

    /**
     * Subscribes.
     *
     * @param subscriptions the filters with their QoS and options
     */
    public void subscribe(Subscription... subscriptions) {
        subscribe(Subscription.listOf(subscriptions));
    }

    /**
     * Unsubscribes from topic filters and waits for the UNSUBACK (at most the request timeout).
     *
     * @param filters the topic filters
     */
    public void unsubscribe(List<String> filters) {
        unsubscribe(filters, requestTimeout);
    }

    /**
     * Unsubscribes from topic filters.
     *
     * @param filters the topic filters
     */
    public void unsubscribe(String... filters) {
        MqttException.nonNull(filters, "Topic filter list");
        unsubscribe(Arrays.asList(filters));
    }

    /**
     * Unsubscribes from topic filters and waits at most {@code timeout} for the UNSUBACK.
     *
     * @param filters the topic filters
     * @param timeout the longest wait; {@link Duration#ZERO} = no limit
     */
    public void unsubscribe(List<String> filters, Duration timeout) {
        checkOpen();
        MqttException.nonNull(filters, "Topic filter list");
        Timeouts.check(timeout, "Unsubscribe timeout");
        String[] array = filters.toArray(new String[0]);
        for (String filter : array) {
            if (filter != null) {
                Wire.wellFormed(filter, "Topic filter");
            }
        }
        EventPump.await(pump.submit(requestId -> Native.unsubscribe(state.handle, array, requestId)), timeout,
                "the UNSUBACK");
    }

    /**
     * A new stream over this client's received messages. All streams share one buffer; closing
     * one discards nothing (R2). Once the client is closed, {@code next()} throws 32111.
     *
     * @return the stream
     */
    public MessageStream receive() {
        checkOpen();
        return inbox.newStream(this);
    }

    /**
     * Whether the connection is up; never blocks.
     *
     * @return true when connected
     * @throws MqttException 32111 after close
     */
    public boolean isConnected() {
        checkOpen();
        int status = Native.status(state.handle);
        if (status == Native.STATUS_CLOSED) {
            throw MqttException.closed();
        }
        return status == Native.STATUS_CONNECTED;
    }

    /**
     * Sends DISCONNECT after waiting up to {@link #CLOSE_DISCONNECT_WAIT} (10 s) for in-flight QoS 1/2
     * publishes (C7); those still unacknowledged then fail with 32101.
     */
    public void disconnect() {
        checkOpen();
        EventPump.await(pump.submit(requestId -> Native.disconnect(state.handle, requestId)),
                atLeast(requestTimeout, CLOSE_DISCONNECT_WAIT.plus(CLOSE_MARGIN)), "the disconnect");
    }

    /**
     * Sends DISCONNECT after waiting up to {@code timeout} for in-flight QoS 1/2 publishes (C7); those still
     * unacknowledged then fail with 32101. {@link Duration#ZERO} disconnects at once.
     *
     * @param timeout the longest wait for in-flight publishes
     */
    public void disconnect(Duration timeout) {
        checkOpen();
        long waitMillis = Timeouts.millisRoundedUp(timeout, "Disconnect timeout");
        EventPump.await(pump.submit(requestId -> Native.disconnectWithin(state.handle, waitMillis, requestId)),
                timeout.plus(CLOSE_MARGIN), "the disconnect");
    }

    /**
     * Connects a disconnected client again; returns when connected or failed, waiting at most the request
     * timeout.
     */
    public void reconnect() {
        reconnect(requestTimeout);
    }

    /**
     * Connects a disconnected client again; returns when connected or failed, waiting at most
     * {@code timeout} (32000 then; the engine's own attempt ends within its connectionTimeout).
     *
     * @param timeout the longest wait; {@link Duration#ZERO} = no limit
     */
    public void reconnect(Duration timeout) {
        checkOpen();
        Timeouts.check(timeout, "Reconnect timeout");
        EventPump.await(pump.submit(requestId -> Native.reconnect(state.handle, requestId)), timeout,
                "the reconnect");
    }

    /** {@code wait}, unless it is shorter than {@code floor} (and not "no limit"). */
    private static Duration atLeast(Duration wait, Duration floor) {
        return wait.isZero() || wait.compareTo(floor) >= 0 ? wait : floor;
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

    /**
     * A snapshot of this client's counters, kept in the engine and read in one call (issue 16); the same
     * values are the attributes of its JMX MBean ({@link MqttMetricsMXBean}). Never blocks.
     *
     * @return the snapshot
     * @throws MqttException 32111 after close
     */
    public Metrics metrics() {
        checkOpen();
        Metrics m = Metrics.decode(Native.metrics(state.handle));
        if (m == null) {
            throw MqttException.closed();
        }
        return m;
    }

    /**
     * Whether {@link #close()} ran.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }
}
