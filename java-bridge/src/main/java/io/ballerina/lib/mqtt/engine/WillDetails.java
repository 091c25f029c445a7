package io.ballerina.lib.mqtt.engine;

/** The will message the broker publishes to {@code destinationTopic} when the client vanishes (contract P4). */
public record WillDetails(Message willMessage, String destinationTopic) {
    public WillDetails {
        MqttException.nonNull(willMessage, "Will message");
        MqttException.nonNull(destinationTopic, "Will destinationTopic");
    }
}
