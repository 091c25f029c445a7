package io.ballerina.lib.mqtt.engine;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.function.ToLongFunction;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The JMX MBeans of the connections ({@link MqttMetricsMXBean}): registered at connect, unregistered when the
 * handle is released. An MBean refers to the native handle only, never to its MqttClient/MqttListener, so a
 * forgotten client can still be collected (its Cleaner then unregisters the MBean). JMX failures are logged
 * at DEBUG and never fail a connect or close.
 */
final class MetricsMBeans {
    static final String DOMAIN = "io.ballerina.lib.mqtt";

    private MetricsMBeans() {
    }

    /** Registers the MBean of a handle; null when JMX is unavailable or refuses it. */
    static ObjectName register(String type, String clientId, long handle) {
        try {
            ObjectName name = new ObjectName(DOMAIN + ":type=" + type + ",clientId=" + ObjectName.quote(clientId)
                    + ",handle=" + handle);
            // Registered as it is, an MXBean by its interface's name: the MBeanServer keeps one MBeanInfo
            // per interface instead of the one per connection a StandardMBean wrapper holds (heap of 1,000
            // idle clients 3.06 -> 2.78 MiB).
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Bean(clientId, handle), name);
            return name;
        } catch (JMException | RuntimeException | LinkageError e) {
            Logs.ENGINE.log(Level.DEBUG, () -> "no JMX MBean for " + type + " " + clientId + ": " + e);
            return null;
        }
    }

    static void unregister(ObjectName name) {
        if (name == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException | RuntimeException | LinkageError e) {
            Logs.ENGINE.log(Level.DEBUG, () -> "unregistering " + name + ": " + e);
        }
    }

    /** Reads the engine's snapshot at every attribute read. */
    private static final class Bean implements MqttMetricsMXBean {
        private final String clientId;
        private final long handle;

        Bean(String clientId, long handle) {
            this.clientId = clientId;
            this.handle = handle;
        }

        private Metrics snapshot() {
            try {
                return Metrics.decode(Native.metrics(handle));
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }

        private long read(ToLongFunction<Metrics> field) {
            Metrics m = snapshot();
            return m == null ? 0 : field.applyAsLong(m);
        }

        @Override
        public String getClientId() {
            return clientId;
        }

        @Override
        public String getState() {
            Metrics m = snapshot();
            return (m == null ? Metrics.State.CLOSED : m.state()).name();
        }

        @Override
        public long getPublishedQos0() {
            return read(m -> m.published(0));
        }

        @Override
        public long getPublishedQos1() {
            return read(m -> m.published(1));
        }

        @Override
        public long getPublishedQos2() {
            return read(m -> m.published(2));
        }

        @Override
        public long getAcknowledgedQos0() {
            return read(m -> m.acknowledged(0));
        }

        @Override
        public long getAcknowledgedQos1() {
            return read(m -> m.acknowledged(1));
        }

        @Override
        public long getAcknowledgedQos2() {
            return read(m -> m.acknowledged(2));
        }

        @Override
        public long getFailedQos0() {
            return read(m -> m.failed(0));
        }

        @Override
        public long getFailedQos1() {
            return read(m -> m.failed(1));
        }

        @Override
        public long getFailedQos2() {
            return read(m -> m.failed(2));
        }

        @Override
        public long getReceivedQos0() {
            return read(m -> m.received(0));
        }

        @Override
        public long getReceivedQos1() {
            return read(m -> m.received(1));
        }

        @Override
        public long getReceivedQos2() {
            return read(m -> m.received(2));
        }

        @Override
        public long getDuplicatesReceived() {
            return read(Metrics::duplicatesReceived);
        }

        @Override
        public long getBytesIn() {
            return read(Metrics::bytesIn);
        }

        @Override
        public long getBytesOut() {
            return read(Metrics::bytesOut);
        }

        @Override
        public long getInFlight() {
            return read(Metrics::inFlight);
        }

        @Override
        public long getQueued() {
            return read(Metrics::queued);
        }

        @Override
        public long getReconnectAttempts() {
            return read(Metrics::reconnectAttempts);
        }

        @Override
        public long getReconnects() {
            return read(Metrics::reconnects);
        }

        @Override
        public long getTimeConnectedMillis() {
            return read(m -> m.timeConnected().toMillis());
        }

        @Override
        public int getLastErrorCode() {
            Metrics m = snapshot();
            return m == null ? -1 : m.lastErrorCode().orElse(-1);
        }

        @Override
        public String getLastErrorMessage() {
            Metrics m = snapshot();
            return m == null ? "" : m.lastErrorMessage().orElse("");
        }
    }
}
