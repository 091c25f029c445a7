package io.ballerina.lib.mqtt.engine;

import java.util.Objects;

/** An MQTT 5 user property (key/value pair); order and repeated keys are kept. */
public record UserProperty(String key, String value) {
    public UserProperty {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
