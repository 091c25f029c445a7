package io.ballerina.lib.mqtt.engine;

/**
 * What a publish returns once the message is delivered as its QoS promises (contract P1):
 * the packet identifier (0 for QoS 0) and the topic published to.
 */
public record DeliveryToken(int messageId, String topic) {
}
