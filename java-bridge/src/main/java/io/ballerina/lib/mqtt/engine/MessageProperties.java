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

    /**
     * Checks and copies the components.
     *
     * @param responseTopic the response topic (L5)
     * @param correlationData the correlation data (copied)
     * @param userProperties user properties, in order; null = none
     * @param contentType the content type
     * @param messageExpiryInterval seconds
     * @param payloadFormatIndicator true = the payload is UTF-8 text
     */
    public MessageProperties {
        correlationData = correlationData == null ? null : correlationData.clone();
        if (userProperties != null) {
            MqttException.noNullIn(userProperties, "A user property");
        }
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    /**
     * No property set.
     *
     * @return the empty properties
     */
    public static MessageProperties empty() {
        return EMPTY;
    }

    /**
     * Only a response topic (request/response, contract L5).
     *
     * @param responseTopic the response topic
     * @return the properties
     */
    public static MessageProperties ofResponseTopic(String responseTopic) {
        return new MessageProperties(responseTopic, null, List.of(), null, null, null);
    }

    /**
     * A copy of the correlation data.
     *
     * @return the bytes, or null when absent
     */
    @Override
    public byte[] correlationData() {
        return correlationData == null ? null : correlationData.clone();
    }

    /**
     * Whether no property is set.
     *
     * @return true when empty
     */
    public boolean isEmpty() {
        return responseTopic == null && correlationData == null && userProperties.isEmpty()
                && contentType == null && messageExpiryInterval == null && payloadFormatIndicator == null;
    }

    /**
     * A copy with another {@code responseTopic}.
     *
     * @param value the new value
     * @return the copy
     */
    public MessageProperties withResponseTopic(String value) {
        return new MessageProperties(value, correlationData, userProperties, contentType, messageExpiryInterval,
                payloadFormatIndicator);
    }

    /**
     * A copy with another {@code correlationData}.
     *
     * @param value the new value
     * @return the copy
     */
    public MessageProperties withCorrelationData(byte[] value) {
        return new MessageProperties(responseTopic, value, userProperties, contentType, messageExpiryInterval,
                payloadFormatIndicator);
    }

    /**
     * A copy with another {@code userProperties}.
     *
     * @param value the new value
     * @return the copy
     */
    public MessageProperties withUserProperties(List<UserProperty> value) {
        return new MessageProperties(responseTopic, correlationData, value, contentType, messageExpiryInterval,
                payloadFormatIndicator);
    }

    /**
     * A copy with another {@code contentType}.
     *
     * @param value the new value
     * @return the copy
     */
    public MessageProperties withContentType(String value) {
        return new MessageProperties(responseTopic, correlationData, userProperties, value, messageExpiryInterval,
                payloadFormatIndicator);
    }

    /**
     * A copy with another {@code messageExpiryInterval}.
     *
     * @param value the new value
     * @return the copy
     */
    public MessageProperties withMessageExpiryInterval(Long value) {
        return new MessageProperties(responseTopic, correlationData, userProperties, contentType, value,
                payloadFormatIndicator);
    }

    /**
     * A copy with another {@code payloadFormatIndicator}.
     *
     * @param value the new value
     * @return the copy
     */
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
