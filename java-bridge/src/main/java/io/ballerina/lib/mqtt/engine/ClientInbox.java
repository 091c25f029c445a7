package io.ballerina.lib.mqtt.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Java-side buffer of one client's received messages, shared by all its streams (R1, R2).
 * Its size is bounded by the engine's credits: a message taken out gives one credit back.
 * Must not refer to the MqttClient (the pump's registry would keep the client alive).
 */
final class ClientInbox implements EventPump.Sink {
    private volatile ConnectionEvents connectionEvents;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private volatile long handle;
    private boolean ended;

    void setHandle(long value) {
        handle = value;
    }

    @Override
    public void onMessage(Wire.Received message) {
        lock.lock();
        try {
            queue.addLast(message.message());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onConnection(Wire.ConnectionEvent event) {
        // Logged, and told to the client's ConnectionListener, on the connection events thread.
        ConnectionEvents events = connectionEvents;
        if (events != null) {
            events.accept(event);
        }
    }

    /** Where this client's connection events go; set before the connect starts. */
    void setConnectionEvents(ConnectionEvents value) {
        connectionEvents = value;
    }

    @Override
    public void onEnd() {
        end();
    }

    /** No more messages will come (client closed): waiting streams wake up. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @param owner the client, kept reachable while a stream of it is in use */
    MessageStream newStream(Object owner) {
        return new Stream(owner);
    }

    private final class Stream implements MessageStream {
        @SuppressWarnings("unused")
        private final Object owner;
        private boolean closed; // guarded by lock

        Stream(Object owner) {
            this.owner = owner;
        }

        @Override
        public Message next() {
            return take(-1);
        }

        @Override
        public Message next(Duration timeout) {
            long nanos = MqttException.nonNull(timeout, "Timeout").toNanos();
            return take(Math.max(0, nanos));
        }

        /** nanos -1 = no limit. */
        private Message take(long nanos) {
            Message message;
            boolean credit;
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        throw new MqttException(STREAM_CLOSED);
                    }
                    message = queue.pollFirst();
                    if (message != null) {
                        credit = !ended;
                        break;
                    }
                    if (ended) {
                        throw MqttException.closed();
                    }
                    if (nanos < 0) {
                        changed.await();
                    } else if (nanos == 0) {
                        return null;
                    } else {
                        nanos = changed.awaitNanos(nanos);
                        if (nanos <= 0) {
                            nanos = 0;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MqttException("Interrupted while waiting for a message", e);
            } finally {
                lock.unlock();
            }
            if (credit) {
                try {
                    Native.credit(handle, 1);
                } catch (RuntimeException | LinkageError e) {
                    // The handle is gone (closed meanwhile): no credit needed any more.
                }
            }
            return message;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    throw new MqttException(STREAM_CLOSED);
                }
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
