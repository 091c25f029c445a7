package io.ballerina.lib.mqtt.engine;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The per-listener dispatch thread (L2–L5): onMessage, onError and onComplete run here, one at a
 * time, in arrival order. It takes the listener's messages, connection events and END straight
 * from the engine ({@link Native#pollDispatch}: no other thread in between) and the work Java
 * queues for it (onComplete, stops) from {@link #local}, waking the native wait for those. Must not
 * refer to the MqttListener except through {@link #owner} while started (which keeps a running
 * listener alive).
 */
final class Dispatcher {
    private static final Object STOP = new Object();

    private record Completed(DeliveryToken token) {
    }

    /** Work queued by Java threads: {@link Completed} and {@link #STOP}. */
    private final ConcurrentLinkedQueue<Object> local = new ConcurrentLinkedQueue<>();
    /** Engine events taken by the last poll and not yet handled (dispatch thread only). */
    private final ArrayDeque<Wire.Event> polled = new ArrayDeque<>();
    private final EventPump pump;
    private final boolean manualAcks;
    private final String name;
    private volatile long handle;
    private volatile MessageHandler handler;
    /** Graceful stop: no new onMessage, the running one finishes. */
    private volatile boolean stopping;
    /** Immediate stop: nothing more reaches the service. */
    private volatile boolean stopped;
    /** Makes startThread start one thread; a lock, not {@code synchronized} (no pinning of a strand's carrier). */
    private final ReentrantLock startLock = new ReentrantLock();
    private volatile Thread thread; // written under startLock
    /** The listener, strongly reachable while dispatching (a started service keeps running). */
    volatile Object owner;

    /** The wait of {@link Caller#respond(Message)} ({@link java.time.Duration#ZERO} = no limit). */
    private final java.time.Duration requestTimeout;

    Dispatcher(EventPump pump, boolean manualAcks, String name, java.time.Duration requestTimeout) {
        this.pump = pump;
        this.manualAcks = manualAcks;
        this.name = name;
        this.requestTimeout = requestTimeout;
    }

    java.time.Duration requestTimeout() {
        return requestTimeout;
    }

    void setHandle(long value) {
        handle = value;
    }

    long handle() {
        return handle;
    }

    boolean manualAcks() {
        return manualAcks;
    }

    EventPump pump() {
        return pump;
    }

    void setHandler(MessageHandler value) {
        handler = value;
    }

    MessageHandler handler() {
        return handler;
    }

    /** Schedules onComplete(token) on the dispatch thread (L5). */
    void scheduleComplete(DeliveryToken token) {
        addLocal(new Completed(token));
    }

    private void addLocal(Object item) {
        local.add(item);
        try {
            Native.wakeDispatch(handle);
        } catch (RuntimeException | LinkageError e) {
            // Gone: the dispatch thread ends with END anyway.
        }
    }

    // ------------------------------------------------------------------ lifecycle

    void startThread(Object listener) {
        startLock.lock();
        try {
            owner = listener;
            if (thread == null) {
                Thread started = new Thread(this::run, "mqtt-listener-" + name);
                started.setDaemon(true);
                started.start();
                thread = started;
            }
        } finally {
            startLock.unlock();
        }
    }

    Thread thread() {
        return thread;
    }

    /** Graceful: the running onMessage finishes (and is acked); queued messages are not dispatched. */
    void stopGracefully() {
        stopping = true;
        addLocal(STOP);
        Thread t = thread();
        if (t != null && t != Thread.currentThread()) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        owner = null;
    }

    /** Immediate: nothing more reaches the service; does not wait for a running onMessage. */
    void stopImmediately() {
        stopped = true;
        stopping = true;
        addLocal(STOP);
        owner = null;
    }

    // ------------------------------------------------------------------ acks and credit

    /** Acknowledges (ackSeq >= 0) and gives back {@code credit} messages, in one engine call. */
    void settle(long ackEpoch, long ackSeq, int credit) {
        try {
            Native.ack(handle, ackEpoch, ackSeq, credit);
        } catch (RuntimeException | LinkageError e) {
            // The listener was stopped: nothing to acknowledge or credit any more.
        }
    }

    // ------------------------------------------------------------------ the dispatch thread

    private void run() {
        while (true) {
            Object item = next();
            if (item == STOP || item instanceof Wire.End) {
                drainCompletions();
                if (item == STOP) {
                    endDispatch();
                }
                return;
            }
            try {
                handle(item);
            } catch (Throwable t) {
                // Never let the dispatch thread die of a bug or a user error.
                log("listener " + name + ": dispatch failed", t);
            }
        }
    }

    /** Java's queued work first (a stop takes effect before further messages), then engine events. */
    private Object next() {
        while (true) {
            Object item = local.poll();
            if (item != null) {
                return item;
            }
            Wire.Event event = polled.poll();
            if (event != null) {
                return event;
            }
            try {
                polled.addAll(Wire.decodeEvents(Native.pollDispatch(handle, EventPump.POLL_TIMEOUT_MILLIS)));
            } catch (RuntimeException | LinkageError e) {
                log("listener " + name + ": taking events failed (continuing)", e);
                sleepBriefly();
            }
        }
    }

    private void endDispatch() {
        try {
            Native.endDispatch(handle);
        } catch (RuntimeException | LinkageError e) {
            // Nothing left to end.
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException ignored) {
            // Only a stop ends the thread.
        }
    }

    /** After a stop, onComplete of responses already delivered still runs (unless stopped immediately). */
    private void drainCompletions() {
        Object item;
        while ((item = local.poll()) != null) {
            if (item instanceof Completed c && !stopped) {
                complete(c.token());
            }
        }
    }

    private void handle(Object item) {
        if (item instanceof Wire.Received r) {
            dispatch(r);
        } else if (item instanceof Wire.ConnectionEvent e) {
            ConnectionEvents.log("listener " + name, e);
            if (e.isError() && !stopped) {
                reportError(e.error());
            }
        } else if (item instanceof Completed c) {
            if (!stopped) {
                complete(c.token());
            }
        }
    }

    private void dispatch(Wire.Received r) {
        if (stopping || stopped) {
            return; // not dispatched, not acknowledged: the broker redelivers with a session
        }
        ListenerCaller caller = new ListenerCaller(this, r);
        MessageHandler h = handler;
        if (h == null) {
            // Detached: nobody takes it; acknowledge so the broker's flow does not stall.
            caller.finishDispatch(true);
            return;
        }
        try {
            h.onMessage(r.message(), caller);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vm && !(t instanceof StackOverflowError)) {
                caller.finishDispatch(!manualAcks());
                throw vm;
            }
            MqttException error = t instanceof MqttException m ? m
                    : new MqttException("onMessage failed: " + t, t);
            reportError(error);
        }
        caller.finishDispatch(!manualAcks());
    }

    private void reportError(MqttException error) {
        MessageHandler h = handler;
        if (h == null) {
            log("listener " + name + ": " + error.getMessage(), error);
            return;
        }
        try {
            h.onError(error);
        } catch (Throwable t) {
            log("listener " + name + ": onError failed while handling '" + error.getMessage() + "'", t);
        }
    }

    private void complete(DeliveryToken token) {
        MessageHandler h = handler;
        if (h == null) {
            return;
        }
        try {
            h.onComplete(token);
        } catch (Throwable t) {
            log("listener " + name + ": onComplete failed", t);
        }
    }

    private static void log(String what, Throwable t) {
        Logs.LISTENER.log(System.Logger.Level.ERROR, what, t);
    }
}
