package io.ballerina.lib.mqtt.engine;

/**
 * The JNI methods of the Rust engine, exactly as docs/bridge.md states them. Nothing here blocks
 * except {@link #poll(int, long)} (only the {@link EventPump}'s two threads call it) and
 * {@link #pollDispatch(long, long)} (only a listener's {@link Dispatcher} thread); everything that waits
 * finishes as a completion event carrying the caller's requestId. The only exception type thrown
 * from native code is {@link MqttException}.
 */
final class Native {
    static {
        NativeLoader.load();
    }

    private Native() {
    }

    /**
     * kind 0 = client, 1 = listener. Returns the handle at once; completion: OK when connected. The ack mode is not
     * the engine's business: the engine acks a message when {@link #ack} is called (ListenerCaller decides when).
     */
    static native long connect(byte[] options, int kind, byte[] subscriptions, long requestId);

    /**
     * The topic comes as UTF-8 (well-formed: callers check), which the engine takes without the JVM's
     * modified-UTF-8 copy of a String. The payload array is passed as it is and copied by the engine during the
     * call, the only copy before the socket; {@code properties} is {@link Wire#encodeProperties} or null (none).
     * Returns the messageId when the publish completed during the call (a QoS 0 publish written at once; a
     * refusal is thrown), else -1 and the completion comes on {@link #LANE_PUBLISHED}.
     */
    static native long publish(long handle, byte[] topic, byte[] payload, int qos, boolean retained,
            byte[] properties, long requestId);

    /**
     * A publish the caller waits for ({@link EventPump#publish}), with the arguments of {@link #publish}: returns
     * the messageId when it completed during the call (a QoS 0 publish written at once, a refusal thrown), or -1
     * when the engine thread that completes it will call {@link #publishCompleted} (or, if it cannot reach Java,
     * queue a completion on {@link #LANE_PUBLISHED}).
     */
    static native long publishSync(long handle, byte[] topic, byte[] payload, int qos, boolean retained,
            byte[] properties, long requestId);

    /**
     * Called by the engine, on one of its own threads (attached as a daemon), when a {@link #publishSync} that
     * returned -1 completes: the messageId, or {@code error} (non-null) with its reason code (-1: none). It only
     * completes the future that publishing thread waits on, which has no dependent actions, and never throws.
     */
    static void publishCompleted(long requestId, int messageId, int reasonCode, String error) {
        EventPump.completedByEngine(requestId, messageId, reasonCode, error);
    }

    static native void subscribe(long handle, byte[] subscriptions, long requestId);

    static native void unsubscribe(long handle, String[] filters, long requestId);

    static native void disconnect(long handle, long requestId);

    static native void reconnect(long handle, long requestId);

    /** As {@link #disconnect}, waiting at most waitMillis (not the engine's 10 s) for in-flight publishes. */
    static native void disconnectWithin(long handle, long waitMillis, long requestId);

    /** C7: error 32100 while connected; ok (and handle released) otherwise. */
    static native void close(long handle, long requestId);

    /** Releases the handle whatever its state, no completion. */
    static native void release(long handle);

    /** 0 connecting, 1 connected, 2 reconnecting, 3 disconnected, 4 closed/unknown. */
    static native int status(long handle);

    /**
     * The engine's log records from {@code level} on (1 error ... 5 trace; 0 none) come as LOG events on
     * {@link #LANE_EVENTS}.
     */
    static native void logLevel(int level);

    static native void start(long handle, long requestId);

    static native void detach(long handle, long requestId);

    static native void stop(long handle, boolean graceful, long requestId);

    /**
     * Acknowledges a listener's message (nothing when ackSeq is -1) and gives back {@code credit} messages (none
     * when 0) in one call: the automatic-mode end of a dispatch costs one crossing, not two.
     */
    static native void ack(long handle, long ackEpoch, long ackSeq, int credit);

    static native void credit(long handle, int n);

    /** The handle's metrics snapshot (docs/bridge.md, "metrics"), one call; null when the handle is gone. */
    static native byte[] metrics(long handle);

    /** Waits up to timeoutMillis for events of one lane; returns an event batch or null. */
    static native byte[] poll(int lane, long timeoutMillis);

    /**
     * A listener's dispatch thread: waits up to timeoutMillis for the listener's messages,
     * connection events and END; returns a batch (empty after {@link #wakeDispatch}) or null.
     * A listener that is gone answers with END.
     */
    static native byte[] pollDispatch(long handle, long timeoutMillis);

    /** Makes the listener's {@link #pollDispatch} return now (Java queued work for its thread). */
    static native void wakeDispatch(long handle);

    /** The listener's dispatch thread ended before END: its queue may go with the handle. */
    static native void endDispatch(long handle);

    /** Everything but publish completions and listener events: the event pump's lane. */
    static final int LANE_EVENTS = 0;
    /** Completions of {@link #publish} requests: the publish completions thread's lane. */
    static final int LANE_PUBLISHED = 1;

    static final int KIND_CLIENT = 0;
    static final int KIND_LISTENER = 1;

    static final int STATUS_CONNECTING = 0;
    static final int STATUS_CONNECTED = 1;
    static final int STATUS_RECONNECTING = 2;
    static final int STATUS_DISCONNECTED = 3;
    static final int STATUS_CLOSED = 4;
}
