package io.ballerina.lib.mqtt.engine;

import java.util.Objects;

/** The will message the broker publishes to {@code destinationTopic} when the client vanishes (contract P4). */
public record WillDetails(Message willMessage, String destinationTopic) {
    public WillDetails {
        Objects.requireNonNull(willMessage, "willMessage");
        Objects.requireNonNull(destinationTopic, "destinationTopic");
    }
}
