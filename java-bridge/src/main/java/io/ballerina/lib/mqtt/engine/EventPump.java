package io.ballerina.lib.mqtt.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * The event threads of the process (docs/bridge.md, "Threads"), two daemon platform threads
 * started lazily, each looping on {@link Native#poll(int, long)} for its lane:
 * <ul>
 * <li>the event pump completes the futures of pending requests by requestId and routes a client's
 * MESSAGE / CONNECTION / END events by handle to its {@link Sink}. It never runs user code (sinks
 * only enqueue). A listener's events skip it: its {@link Dispatcher} takes them itself;</li>
 * <li>the publish completions thread completes the futures of publish requests, so the dependent
 * actions of {@link MqttClient#publishAsync} run there, without a hand-off to another thread.</li>
 * </ul>
 * Both survive any exception.
 */
final class EventPump {
    /** Where the events of one handle go. Implementations must only enqueue, never block. */
    interface Sink {
        void onMessage(Wire.Received message);

        void onConnection(Wire.ConnectionEvent event);

        void onEnd();
    }

    static final long POLL_TIMEOUT_MILLIS = 1000;

    private static volatile EventPump instance;
    /**
     * Guards the creation of {@link #instance} (the native library load). A lock, not
     * {@code synchronized}: a virtual thread (a Ballerina strand) waiting here must not pin its carrier.
     */
    private static final ReentrantLock INSTANCE_LOCK = new ReentrantLock();

    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, CompletableFuture<Wire.Completion>> pending = new ConcurrentHashMap<>();
    /** Publishes whose outcome comes after their native call returned. */
    private final PendingPublishes publishes = new PendingPublishes();
    /**
     * Guards {@link #sinks}; held by connect while the handle is created (a JNI call) and registered.
     * A lock, not {@code synchronized}, so that a virtual thread holding or waiting for it can unmount.
     */
    private final ReentrantLock routeLock = new ReentrantLock();
    private final Map<Long, Sink> sinks = new HashMap<>();
    private final Thread pumpThread;
    private final Thread publishedThread;

    private EventPump() {
        pumpThread = daemon(() -> run(Native.LANE_EVENTS), "mqtt-engine-event-pump");
        publishedThread = daemon(() -> run(Native.LANE_PUBLISHED), "mqtt-engine-completions");
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The pump, loading the engine library and starting the thread at first use. */
    static EventPump get() {
        EventPump pump = instance;
        if (pump != null) {
            return pump;
        }
        INSTANCE_LOCK.lock();
        try {
            if (instance == null) {
                try {
                    NativeLoader.load();
                } catch (UnsatisfiedLinkError e) {
                    throw new MqttException(e.getMessage(), e);
                }
                Native.logLevel(engineLogLevel());
                EventPump created = new EventPump();
                created.pumpThread.start();
                created.publishedThread.start();
                instance = created;
            }
            return instance;
        } finally {
            INSTANCE_LOCK.unlock();
        }
    }

    // ------------------------------------------------------------------ engine logs

    /** The engine's records go to loggers under this name (docs/bridge.md, "Logging"). */
    static final String ENGINE_LOGGER = "io.ballerina.lib.mqtt.native";

    private static final System.Logger.Level[] ENGINE_LEVELS = {System.Logger.Level.ERROR,
        System.Logger.Level.WARNING, System.Logger.Level.INFO, System.Logger.Level.DEBUG, System.Logger.Level.TRACE};

    /** The most detailed engine level (1 error ... 5 trace) the application's logging would print; 0 none. */
    private static int engineLogLevel() {
        System.Logger logger = System.getLogger(ENGINE_LOGGER);
        int level = 0;
        for (int i = 0; i < ENGINE_LEVELS.length; i++) {
            if (logger.isLoggable(ENGINE_LEVELS[i])) {
                level = i + 1;
            }
        }
        return level;
    }

    /** Logs an engine record to {@code io.ballerina.lib.mqtt.native.<module>} (Rust's module path, dotted). */
    private static void logEngine(Wire.Log record) {
        String module = record.target().replace("mqtt_engine::", "").replace("mqtt_engine", "").replace("::", ".");
        String name = module.isEmpty() ? ENGINE_LOGGER : ENGINE_LOGGER + "." + module;
        int level = Math.max(1, Math.min(ENGINE_LEVELS.length, record.level()));
        System.getLogger(name).log(ENGINE_LEVELS[level - 1], record.text());
    }

    // ------------------------------------------------------------------ requests

    /** Starts a request: {@code nativeCall} gets the requestId; the future ends with its completion. */
    CompletableFuture<Wire.Completion> submit(LongConsumer nativeCall) {
        long requestId = nextRequestId.getAndIncrement();
        CompletableFuture<Wire.Completion> future = new CompletableFuture<>();
        pending.put(requestId, future);
        try {
            nativeCall.accept(requestId);
        } catch (RuntimeException | Error e) {
            pending.remove(requestId);
            throw engineFailure(e);
        }
        return future;
    }

    /**
     * A publish the caller waits for, at most {@code timeout} ({@link Duration#ZERO}: no limit; on timeout 32000
     * naming {@code what}, and the publish goes on in the engine). One JNI call, which returns the outcome when
     * the publish completed during it (QoS 0 written at once); otherwise the engine thread that completes it calls
     * {@link Native#publishCompleted}, which wakes this thread: no hand-off through the completions thread
     * (docs/bridge.md, "Threads").
     */
    DeliveryToken publish(long handle, Wire.Outgoing message, String topic, Duration timeout, String what) {
        return await(startPublish(handle, message, topic, true), timeout, what);
    }

    /**
     * A publish the caller does not wait for: completed at once when the engine completed it during the call
     * (dependents then run on the thread that registers them, as for any completed future), else on the publish
     * completions thread. A refusal during the call fails the future.
     */
    CompletableFuture<DeliveryToken> publishAsync(long handle, Wire.Outgoing message, String topic) {
        return startPublish(handle, message, topic, false);
    }

    /**
     * Starts a publish. Most complete during the native call (QoS 0 written at once, a refusal): those
     * touch no shared table. Only a publish the engine completes later is entered in
     * {@link #publishes}, after the call, where its outcome may already wait.
     */
    private PendingPublishes.Future startPublish(long handle, Wire.Outgoing message, String topic, boolean waiting) {
        long requestId = nextRequestId.getAndIncrement();
        PendingPublishes.Future future = new PendingPublishes.Future(topic);
        long messageId;
        try {
            messageId = waiting
                    ? Native.publishSync(handle, message.topicUtf8(), message.payload(), message.qos(),
                            message.retained(), message.properties(), requestId)
                    : Native.publish(handle, message.topicUtf8(), message.payload(), message.qos(),
                            message.retained(), message.properties(), requestId);
        } catch (MqttException e) {
            future.completeExceptionally(e);
            return future;
        } catch (RuntimeException | Error e) {
            throw engineFailure(e);
        }
        if (messageId >= 0) {
            future.complete(new DeliveryToken((int) messageId, topic));
            return future;
        }
        publishes.register(requestId, future);
        return future;
    }

    /** {@link Native#publishCompleted}: on an engine thread; must not throw, must not run user code. */
    static void completedByEngine(long requestId, int messageId, int reasonCode, String error) {
        try {
            EventPump pump = instance;
            if (pump != null) {
                pump.publishes.settle(new Wire.Completion(requestId, error == null, messageId, reasonCode, error));
            }
        } catch (Throwable t) {
            Logs.ENGINE.log(System.Logger.Level.ERROR, "completing a publish failed", t);
        }
    }

    /** Starts a request and waits (in Java) for its completion. */
    Wire.Completion call(LongConsumer nativeCall) {
        return await(submit(nativeCall));
    }

    /**
     * Creates a handle with {@code nativeConnect} (given the requestId, returning the handle) and
     * registers {@code sink} for it before any of its events can be routed; null for a listener,
     * whose events go to its own dispatch thread.
     */
    Connecting connect(LongUnaryOperator nativeConnect, Sink sink) {
        long requestId = nextRequestId.getAndIncrement();
        CompletableFuture<Wire.Completion> future = new CompletableFuture<>();
        pending.put(requestId, future);
        long handle;
        routeLock.lock();
        try {
            try {
                handle = nativeConnect.applyAsLong(requestId);
            } catch (RuntimeException | Error e) {
                pending.remove(requestId);
                throw engineFailure(e);
            }
            if (sink != null) {
                sinks.put(handle, sink);
            }
        } finally {
            routeLock.unlock();
        }
        return new Connecting(handle, future);
    }

    record Connecting(long handle, CompletableFuture<Wire.Completion> future) {
    }

    void unregister(long handle) {
        routeLock.lock();
        try {
            sinks.remove(handle);
        } finally {
            routeLock.unlock();
        }
    }

    /** Waits for a completion; a failed one is thrown as an MqttException with the caller's stack. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttException("Interrupted while waiting for the MQTT engine", e);
        } catch (ExecutionException e) {
            throw failure(e);
        }
    }

    /**
     * Waits at most {@code timeout} for a completion ({@link Duration#ZERO} or negative: no limit).
     * On timeout throws 32000; the request itself goes on in the engine and its completion is dropped.
     */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return await(future);
        }
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new MqttException("Timed out after " + timeout.toMillis() + " ms waiting for " + what,
                    MqttException.TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttException("Interrupted while waiting for the MQTT engine", e);
        } catch (ExecutionException e) {
            throw failure(e);
        }
    }

    /** A failed completion as an MqttException with the waiting caller's stack and the reason code. */
    private static MqttException failure(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof MqttException m) {
            return new MqttException(m.getMessage(), m.reasonCode().orElse(-1));
        }
        return new MqttException(String.valueOf(cause), cause);
    }

    /** Native calls only throw MqttException; a missing symbol or similar becomes one too (E1). */
    static RuntimeException engineFailure(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof LinkageError) {
            return new MqttException("MQTT engine call failed: " + e, e);
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new MqttException(String.valueOf(e), e);
    }

    // ------------------------------------------------------------------ the pump thread

    private void run(int lane) {
        long lastLogged = 0;
        while (true) {
            try {
                byte[] batch = Native.poll(lane, POLL_TIMEOUT_MILLIS);
                if (batch != null) {
                    dispatch(Wire.decodeEvents(batch), lane == Native.LANE_PUBLISHED);
                }
            } catch (Throwable t) {
                long now = System.nanoTime();
                if (now - lastLogged > 5_000_000_000L || lastLogged == 0) {
                    lastLogged = now;
                    Logs.ENGINE.log(System.Logger.Level.ERROR,
                            Thread.currentThread().getName() + " failed taking engine events (continuing)", t);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ignored) {
                    // The pump never stops; a stray interrupt is dropped.
                }
            }
        }
    }

    /** {@code publishLane}: the publish completions lane, whose completions are all publishes'. */
    private void dispatch(List<Wire.Event> events, boolean publishLane) {
        for (Wire.Event event : events) {
            if (event instanceof Wire.Log record) {
                logEngine(record);
                continue;
            }
            if (event instanceof Wire.Completion c) {
                if (publishLane) {
                    publishes.settle(c);
                    continue;
                }
                CompletableFuture<Wire.Completion> future = pending.remove(c.requestId());
                if (future != null) {
                    if (c.ok()) {
                        future.complete(c);
                    } else {
                        future.completeExceptionally(c.error());
                    }
                }
                continue;
            }
            routeLock.lock();
            try {
                if (event instanceof Wire.Received r) {
                    Sink sink = sinks.get(r.handle());
                    if (sink != null) {
                        sink.onMessage(r);
                    }
                } else if (event instanceof Wire.ConnectionEvent e) {
                    Sink sink = sinks.get(e.handle());
                    if (sink != null) {
                        sink.onConnection(e);
                    }
                } else if (event instanceof Wire.End end) {
                    Sink sink = sinks.get(end.handle());
                    if (sink != null) {
                        sink.onEnd();
                    }
                }
            } catch (RuntimeException e) {
                Logs.ENGINE.log(System.Logger.Level.ERROR, "routing an engine event failed (continuing)", e);
            } finally {
                routeLock.unlock();
            }
        }
    }
}
