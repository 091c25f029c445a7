package io.ballerina.lib.mqtt.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A native handle and whether it was released; also the Cleaner action of its owner, so it must
 * never refer to the owner (MqttClient / MqttListener).
 */
final class HandleState implements Runnable {
    final long handle;
    private final EventPump pump;
    private final AtomicBoolean released = new AtomicBoolean();
    /** The connection's JMX MBean, unregistered with the handle (issue 16); null = none. */
    private volatile javax.management.ObjectName mbean;

    HandleState(long handle, EventPump pump) {
        this.handle = handle;
        this.pump = pump;
    }

    void setMBean(javax.management.ObjectName name) {
        mbean = name;
        if (released.get()) {
            unregisterMBean();
        }
    }

    private void unregisterMBean() {
        javax.management.ObjectName name = mbean;
        mbean = null;
        MetricsMBeans.unregister(name);
    }

    /** Marks the handle as released by the engine itself (close succeeded); forgets the sink. */
    void markReleased() {
        released.set(true);
        pump.unregister(handle);
        unregisterMBean();
    }

    /** Releases the handle natively, once. */
    void release() {
        if (released.compareAndSet(false, true)) {
            pump.unregister(handle);
            unregisterMBean();
            try {
                Native.release(handle);
            } catch (RuntimeException | LinkageError e) {
                // Nothing left to release; never fail a cleanup.
            }
        }
    }

    /** Cleaner action: the owner became unreachable. */
    @Override
    public void run() {
        release();
    }
}
