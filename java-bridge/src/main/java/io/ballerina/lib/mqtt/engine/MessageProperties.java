package io.ballerina.lib.mqtt.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * MQTT 5 publish properties (contract §2 {@code MessageProperties} + §7 additions). Every field
 * may be null (absent); {@code userProperties} is never null (empty when absent).
 * {@code correlationData} is copied on the way in and out; equality compares its content.
 *
 * @param messageExpiryInterval seconds
 * @param payloadFormatIndicator true = the payload is UTF-8 text
 */
public record MessageProperties(String responseTopic, byte[] correlationData, List<UserProperty> userProperties,
                                String contentType, Long messageExpiryInterval, Boolean payloadFormatIndicator) {

    private static final MessageProperties EMPTY = new MessageProperties(null, null, List.of(), null, null, null);

    public MessageProperties {
        correlationData = correlationData == null ? null : correlationData.clone();
        if (userProperties != null && Wire.containsNull(userProperties)) {
            throw MqttException.invalidArgument("A user property is null");
        }
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    /** No property set. */
    public static MessageProperties empty() {
        return EMPTY;
    }

    /** Only a response topic (request/response, contract L5). */
    public static MessageProperties ofResponseTopic(String responseTopic) {
        return new MessageProperties(responseTopic, null, List.of(), null, null, null);
    }

    /** A copy of the correlation data (null when absent). */
    @Override
    public byte[] correlationData() {
        return correlationData == null ? null : correlationData.clone();
    }

    /** True when no property is set. */
    public boolean isEmpty() {
        return responseTopic == null && correlationData == null && userProperties.isEmpty()
                && contentType == null && messageExpiryInterval == null && payloadFormatIndicator == null;
    }

    public MessageProperties withResponseTopic(String value) {
        return new MessageProperties(value, correlationData, userProperties, contentType, messageExpiryInterval,
                payloadFormatIndicator);
    }

    public MessageProperties withCorrelationData(byte[] value) {
        return new MessageProperties(responseTopic, value, userProperties, contentType, messageExpiryInterval,
                payloadFormatIndicator);
    }

    public MessageProperties withUserProperties(List<UserProperty> value) {
        return new MessageProperties(responseTopic, correlationData, value, contentType, messageExpiryInterval,
                payloadFormatIndicator);
    }

    public MessageProperties withContentType(String value) {
        return new MessageProperties(responseTopic, correlationData, userProperties, value, messageExpiryInterval,
                payloadFormatIndicator);
    }

    public MessageProperties withMessageExpiryInterval(Long value) {
        return new MessageProperties(responseTopic, correlationData, userProperties, contentType, value,
                payloadFormatIndicator);
    }

    public MessageProperties withPayloadFormatIndicator(Boolean value) {
        return new MessageProperties(responseTopic, correlationData, userProperties, contentType,
                messageExpiryInterval, value);
    }

    /** The stored array itself, for the encoder (no copy). */
    byte[] correlationDataRef() {
        return correlationData;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties p
                && Objects.equals(responseTopic, p.responseTopic)
                && Arrays.equals(correlationData, p.correlationData)
                && userProperties.equals(p.userProperties)
                && Objects.equals(contentType, p.contentType)
                && Objects.equals(messageExpiryInterval, p.messageExpiryInterval)
                && Objects.equals(payloadFormatIndicator, p.payloadFormatIndicator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(responseTopic, Arrays.hashCode(correlationData), userProperties, contentType,
                messageExpiryInterval, payloadFormatIndicator);
    }

    @Override
    public String toString() {
        return "MessageProperties[responseTopic=" + responseTopic
                + ", correlationData=" + (correlationData == null ? "null" : correlationData.length + " bytes")
                + ", userProperties=" + userProperties + ", contentType=" + contentType
                + ", messageExpiryInterval=" + messageExpiryInterval
                + ", payloadFormatIndicator=" + payloadFormatIndicator + "]";
    }
}
