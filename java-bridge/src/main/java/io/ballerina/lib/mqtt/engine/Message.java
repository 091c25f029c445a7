package io.ballerina.lib.mqtt.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message published or received (contract §2 {@code Message}): qos defaults to 1, retained
 * and duplicate to false. {@code messageId}, {@code topic} and {@code duplicate} are set on
 * received messages and ignored on publish (the topic is an argument of publish).
 * {@code properties} may be null (none). The payload is copied on the way in and out;
 * equality compares its content.
 */
public record Message(byte[] payload, int qos, boolean retained, boolean duplicate, Integer messageId,
                      String topic, MessageProperties properties) {

    /**
     * Checks and copies the components.
     *
     * @param payload the payload bytes (copied)
     * @param qos 0, 1 or 2
     * @param retained the RETAIN flag
     * @param duplicate DUP: a redelivery (received messages only)
     * @param messageId the packet identifier (received messages only); may be null
     * @param topic the topic (received messages only); may be null
     * @param properties the MQTT 5 properties; null = none
     */
    public Message {
        MqttException.nonNull(payload, "Message payload");
        payload = payload.clone();
    }

    /**
     * A QoS 1, not retained message.
     *
     * @param payload the payload bytes (copied)
     * @return the message
     */
    public static Message of(byte[] payload) {
        return new Message(payload, 1, false, false, null, null, null);
    }

    /**
     * A QoS 1, not retained message with a UTF-8 payload.
     *
     * @param payload the payload text
     * @return the message
     */
    public static Message of(String payload) {
        return of(MqttException.nonNull(payload, "Message payload").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A copy of the payload.
     *
     * @return the payload bytes
     */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * The payload decoded as UTF-8.
     *
     * @return the text
     */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The stored array itself, for the encoder (no copy). */
    byte[] payloadRef() {
        return payload;
    }

    /**
     * A copy with another {@code payload}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withPayload(byte[] value) {
        return new Message(value, qos, retained, duplicate, messageId, topic, properties);
    }

    /**
     * A copy with another {@code qos}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withQos(int value) {
        return new Message(payload, value, retained, duplicate, messageId, topic, properties);
    }

    /**
     * A copy with another {@code retained}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withRetained(boolean value) {
        return new Message(payload, qos, value, duplicate, messageId, topic, properties);
    }

    /**
     * A copy with another {@code duplicate}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withDuplicate(boolean value) {
        return new Message(payload, qos, retained, value, messageId, topic, properties);
    }

    /**
     * A copy with another {@code messageId}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withMessageId(Integer value) {
        return new Message(payload, qos, retained, duplicate, value, topic, properties);
    }

    /**
     * A copy with another {@code topic}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withTopic(String value) {
        return new Message(payload, qos, retained, duplicate, messageId, value, properties);
    }

    /**
     * A copy with another {@code properties}.
     *
     * @param value the new value
     * @return the copy
     */
    public Message withProperties(MessageProperties value) {
        return new Message(payload, qos, retained, duplicate, messageId, topic, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m
                && Arrays.equals(payload, m.payload)
                && qos == m.qos && retained == m.retained && duplicate == m.duplicate
                && Objects.equals(messageId, m.messageId)
                && Objects.equals(topic, m.topic)
                && Objects.equals(properties, m.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(payload), qos, retained, duplicate, messageId, topic, properties);
    }

    @Override
    public String toString() {
        return "Message[payload=" + payload.length + " bytes, qos=" + qos + ", retained=" + retained
                + ", duplicate=" + duplicate + ", messageId=" + messageId + ", topic=" + topic
                + ", properties=" + properties + "]";
    }
}
