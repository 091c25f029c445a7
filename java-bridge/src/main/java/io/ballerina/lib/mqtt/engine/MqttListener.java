package io.ballerina.lib.mqtt.engine;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An MQTT 5 listener (contract §2.2, L1–L6): one connection whose messages go to one
 * {@link MessageHandler}, one at a time in arrival order, on a dedicated daemon dispatch thread.
 *
 * <p>{@code connect} connects (C6); {@link #attach} registers the handler (a second attach
 * fails); {@link #start} subscribes and begins dispatch; {@link #detach} unsubscribes and stops
 * dispatching to the handler (another may be attached and started later);
 * {@link #gracefulStop}, {@link #immediateStop} and {@link #close} disconnect and release the
 * connection; afterwards every call except the stops and close (no-ops) throws 32111.
 * A listener that was never started and becomes unreachable is released by a {@link Cleaner};
 * a started one keeps running until stopped.
 */
public final class MqttListener implements AutoCloseable {
    private final EventPump pump;
    private final HandleState state;
    private final Dispatcher dispatcher;
    private final List<Subscription> subscriptions;
    private final Cleaner.Cleanable cleanable;
    /**
     * Guards {@link #started} and {@link #closed}; held across the engine calls of detach and start.
     * A lock, not {@code synchronized}: a strand's virtual thread waiting for the engine must not pin
     * its carrier.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private boolean started; // guarded by lock
    private boolean closed; // guarded by lock

    private MqttListener(EventPump pump, HandleState state, Dispatcher dispatcher, List<Subscription> subscriptions) {
        this.pump = pump;
        this.state = state;
        this.dispatcher = dispatcher;
        this.subscriptions = subscriptions;
        this.cleanable = MqttClient.CLEANER.register(this, state);
    }

    /**
     * Connects with the defaults (automatic acks) before returning; {@link #start()} subscribes to
     * {@code filters} at QoS 1.
     *
     * @param serverUri the broker URI
     * @param clientId  the client identifier
     * @param filters   the topic filters
     * @return the connected listener
     */
    public static MqttListener connect(String serverUri, String clientId, String... filters) {
        return connect(serverUri, clientId, Subscription.ofAll(filters), null);
    }

    /**
     * Connects with the defaults (automatic acks) before returning; {@link #start()} makes the subscriptions.
     *
     * @param serverUri     the broker URI
     * @param clientId      the client identifier
     * @param subscriptions the subscriptions
     * @return the connected listener
     */
    public static MqttListener connect(String serverUri, String clientId, Subscription... subscriptions) {
        return connect(serverUri, clientId, Subscription.listOf(subscriptions), null);
    }

    /**
     * Connects before returning; {@link #start()} subscribes to {@code filters} at QoS 1.
     *
     * @param serverUri the broker URI
     * @param clientId  the client identifier
     * @param config    may be null (defaults: automatic acks)
     * @param filters   the topic filters
     * @return the connected listener
     */
    public static MqttListener connect(String serverUri, String clientId, ListenerConfig config, String... filters) {
        return connect(serverUri, clientId, Subscription.ofAll(filters), config);
    }

    /**
     * Connects before returning (C6, L1); the subscriptions are made by {@link #start()}.
     *
     * <pre>{@code
     * MqttListener listener = MqttListener.connect("tcp://localhost:1883", "worker-1",
     *         List.of(Subscription.of("jobs/#", 1)), ListenerConfig.defaults());
     * listener.attach((message, caller) -> System.out.println(message.payloadAsString()));
     * listener.start();
     * }</pre>
     *
     * @param serverUri     the broker URI (replaced by {@code serverUris} when configured, C3)
     * @param clientId      the client identifier
     * @param subscriptions the subscriptions made by {@link #start()}
     * @param config        may be null (defaults: automatic acks)
     * @return the connected listener
     */
    public static MqttListener connect(String serverUri, String clientId, List<Subscription> subscriptions,
                                       ListenerConfig config) {
        // A null serverUri is reported by the encoder unless serverUris replace it (C3).
        MqttException.nonNull(clientId, "Client id");
        MqttException.nonNull(subscriptions, "Subscription list");
        MqttException.noNullIn(subscriptions, "A subscription");
        List<Subscription> subs = List.copyOf(subscriptions);
        ListenerConfig c = config == null ? ListenerConfig.defaults() : config;
        byte[] options = Wire.encodeOptions(serverUri, clientId, c.connectionConfig(), null);
        byte[] encodedSubs = Wire.encodeSubscriptions(subs);
        EventPump pump = EventPump.get();
        Dispatcher dispatcher = new Dispatcher(pump, c.manualAcks(), clientId, c.effectiveRequestTimeout());
        EventPump.Connecting connecting = pump.connect(requestId -> Native.connect(options,
                Native.KIND_LISTENER, encodedSubs, requestId), null);
        dispatcher.setHandle(connecting.handle());
        HandleState state = new HandleState(connecting.handle(), pump);
        MqttClient.awaitConnect(connecting, state);
        state.setMBean(MetricsMBeans.register("MqttListener", clientId, state.handle));
        return new MqttListener(pump, state, dispatcher, subs);
    }

    /**
     * The subscriptions made by {@link #start()}.
     *
     * @return the subscriptions
     */
    public List<Subscription> subscriptions() {
        return subscriptions;
    }

    private void checkOpen() {
        if (closed) {
            throw new MqttException("Listener is closed", MqttException.CLIENT_CLOSED);
        }
    }

    /**
     * Registers the handler; a second attach fails (L1).
     *
     * @param handler the service
     */
    public void attach(MessageHandler handler) {
        MqttException.nonNull(handler, "Handler");
        lock.lock();
        try {
            checkOpen();
            if (dispatcher.handler() != null) {
                throw new MqttException("A service is already attached to this listener; detach it first");
            }
            dispatcher.setHandler(handler);
        } finally {
            lock.unlock();
        }
    }

    /** Unsubscribes (when started) and stops dispatching to the handler (L6). */
    public void detach() {
        lock.lock();
        try {
            checkOpen();
            if (dispatcher.handler() == null) {
                throw new MqttException("No service is attached to this listener");
            }
            if (started) {
                pump.call(requestId -> Native.detach(state.handle, requestId));
                started = false;
            }
            dispatcher.setHandler(null);
        } finally {
            lock.unlock();
        }
    }

    /** Subscribes and begins dispatch to the attached handler (L1). */
    public void start() {
        lock.lock();
        try {
            checkOpen();
            if (dispatcher.handler() == null) {
                throw new MqttException("No service is attached to this listener");
            }
            if (started) {
                throw new MqttException("Listener is already started");
            }
            dispatcher.startThread(this);
            pump.call(requestId -> Native.start(state.handle, requestId));
            started = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A snapshot of this listener's counters, read in one engine call (issue 16); also its JMX MBean.
     *
     * @return the snapshot
     * @throws MqttException 32111 after a stop or close
     */
    public Metrics metrics() {
        lock.lock();
        try {
            checkOpen();
        } finally {
            lock.unlock();
        }
        Metrics m = Metrics.decode(Native.metrics(state.handle));
        if (m == null) {
            throw new MqttException("Listener is closed", MqttException.CLIENT_CLOSED);
        }
        return m;
    }

    /**
     * Whether the connection is up.
     *
     * @return true while connected
     */
    public boolean isConnected() {
        lock.lock();
        try {
            checkOpen();
        } finally {
            lock.unlock();
        }
        return Native.status(state.handle) == Native.STATUS_CONNECTED;
    }

    /**
     * Stops taking new messages, lets the running onMessage finish and its ack go out, then
     * disconnects and releases the connection (L6). A no-op when already stopped.
     */
    public void gracefulStop() {
        if (!markClosed()) {
            return;
        }
        dispatcher.stopGracefully();
        stopNatively(true);
    }

    /** Disconnects at once; no message reaches the handler afterwards (L6). A no-op when stopped. */
    public void immediateStop() {
        if (!markClosed()) {
            return;
        }
        dispatcher.stopImmediately();
        stopNatively(false);
    }

    /** Marks the listener closed; false when it already was. */
    private boolean markClosed() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #immediateStop()} for try-with-resources: disconnects and releases the connection, and never
     * throws (a failure on the way is logged at DEBUG; the handle is released all the same), so it never
     * masks the exception of a try block. Idempotent.
     */
    @Override
    public void close() {
        try {
            immediateStop();
        } catch (MqttException | LinkageError e) {
            Logs.CONNECTION.log(System.Logger.Level.DEBUG,
                    () -> "close of listener handle " + state.handle + " released it without a clean stop: " + e);
        }
    }

    private void stopNatively(boolean graceful) {
        try {
            pump.call(requestId -> Native.stop(state.handle, graceful, requestId));
        } catch (MqttException e) {
            if (e.reasonCode().orElse(-1) != MqttException.CLIENT_CLOSED) {
                throw e;
            }
        } finally {
            state.release();
            cleanable.clean();
        }
    }
}
