package io.ballerina.lib.mqtt.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publishes whose outcome comes after their native call returned, by requestId. The caller
 * enters its future once the call has returned -1 ({@link #register}); the outcome comes from an
 * engine thread ({@link Native#publishCompleted}) or the publish completions thread
 * ({@link #settle}), and may come first: then it waits in the table for the caller. Whichever side
 * finds the other's entry takes it out and completes the future, so a publish completed during
 * its call (most QoS 0 ones) costs no table operation at all, and one completed later costs the
 * same two as a table entered before the call. The engine completes each publish exactly once,
 * so exactly one side completes each future and no entry stays behind.
 */
final class PendingPublishes {
    /** A publish's future, completed with its token: the one future of a publish, no stage in between. */
    static final class Future extends CompletableFuture<DeliveryToken> {
        private final String topic;

        Future(String topic) {
            this.topic = topic;
        }

        void settle(Wire.Completion c) {
            if (c.ok()) {
                complete(c.token(topic));
            } else {
                completeExceptionally(c.error());
            }
        }
    }

    /** Values: a waiting {@link Future}, or a {@link Wire.Completion} that came before it. */
    private final ConcurrentHashMap<Long, Object> entries = new ConcurrentHashMap<>();

    /** After the native call returned -1: completes {@code future} at once when its outcome came already. */
    void register(long requestId, Future future) {
        Object early = entries.putIfAbsent(requestId, future);
        if (early != null) {
            entries.remove(requestId);
            future.settle((Wire.Completion) early);
        }
    }

    /** The outcome of a publish whose call returned (or is returning) -1. */
    void settle(Wire.Completion c) {
        Object waiting = entries.remove(c.requestId());
        if (waiting == null) {
            waiting = entries.putIfAbsent(c.requestId(), c);
            if (waiting == null) {
                return; // first: register completes it
            }
            entries.remove(c.requestId());
        }
        ((Future) waiting).settle(c);
    }

    /** Entries held now: futures waiting for their outcome and outcomes waiting for their future. */
    int size() {
        return entries.size();
    }
}
