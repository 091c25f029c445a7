package io.ballerina.lib.mqtt.engine;

/** The will message the broker publishes to {@code destinationTopic} when the client vanishes (contract P4). */
public record WillDetails(Message willMessage, String destinationTopic) {
    /**
     * Checks and copies the components.
     *
     * @param willMessage the message
     * @param destinationTopic the topic it goes to
     */
    public WillDetails {
        MqttException.nonNull(willMessage, "Will message");
        MqttException.nonNull(destinationTopic, "Will destinationTopic");
    }
}
