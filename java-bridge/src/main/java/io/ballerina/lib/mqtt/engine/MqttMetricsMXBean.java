package io.ballerina.lib.mqtt.engine;

/**
 * The JMX view of one client's or listener's {@link Metrics}: one MBean per connection, registered on the
 * platform MBean server at connect as {@code io.ballerina.lib.mqtt:type=MqttClient,clientId="<id>",handle=<n>}
 * ({@code type=MqttListener} for a listener) and unregistered at close or stop. JConsole, VisualVM,
 * Prometheus' JMX exporter and Micrometer's JMX binding read it with no extra dependency. Every attribute
 * read takes a fresh snapshot; once the connection is released the counters read 0 and the state CLOSED.
 */
public interface MqttMetricsMXBean {
    /** @return the client identifier given to connect */
    String getClientId();

    /** @return {@link Metrics#state()} as text */
    String getState();

    /** @return {@link Metrics#published(int)} for QoS 0 */
    long getPublishedQos0();

    /** @return {@link Metrics#published(int)} for QoS 1 */
    long getPublishedQos1();

    /** @return {@link Metrics#published(int)} for QoS 2 */
    long getPublishedQos2();

    /** @return {@link Metrics#acknowledged(int)} for QoS 0 */
    long getAcknowledgedQos0();

    /** @return {@link Metrics#acknowledged(int)} for QoS 1 */
    long getAcknowledgedQos1();

    /** @return {@link Metrics#acknowledged(int)} for QoS 2 */
    long getAcknowledgedQos2();

    /** @return {@link Metrics#failed(int)} for QoS 0 */
    long getFailedQos0();

    /** @return {@link Metrics#failed(int)} for QoS 1 */
    long getFailedQos1();

    /** @return {@link Metrics#failed(int)} for QoS 2 */
    long getFailedQos2();

    /** @return {@link Metrics#received(int)} for QoS 0 */
    long getReceivedQos0();

    /** @return {@link Metrics#received(int)} for QoS 1 */
    long getReceivedQos1();

    /** @return {@link Metrics#received(int)} for QoS 2 */
    long getReceivedQos2();

    /** @return {@link Metrics#duplicatesReceived()} */
    long getDuplicatesReceived();

    /** @return {@link Metrics#bytesIn()} */
    long getBytesIn();

    /** @return {@link Metrics#bytesOut()} */
    long getBytesOut();

    /** @return {@link Metrics#inFlight()} */
    long getInFlight();

    /** @return {@link Metrics#queued()} */
    long getQueued();

    /** @return {@link Metrics#reconnectAttempts()} */
    long getReconnectAttempts();

    /** @return {@link Metrics#reconnects()} */
    long getReconnects();

    /** @return {@link Metrics#timeConnected()} in milliseconds */
    long getTimeConnectedMillis();

    /** @return {@link Metrics#lastErrorCode()}, -1 for none */
    int getLastErrorCode();

    /** @return {@link Metrics#lastErrorMessage()}, empty for none */
    String getLastErrorMessage();
}
