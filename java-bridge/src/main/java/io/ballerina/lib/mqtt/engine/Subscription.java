package io.ballerina.lib.mqtt.engine;

/**
 * A topic filter with its QoS (default 1) and the MQTT 5 subscription options (contract §7):
 * {@code retainHandling} 0 = send retained messages at every subscribe, 1 = only for a new
 * subscription, 2 = never.
 */
public record Subscription(String topic, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
    public Subscription {
        MqttException.nonNull(topic, "Subscription topic");
    }

    /** {@code {topic, qos: 1}}, as a bare topic string means in the contract (§2.2). */
    public static Subscription of(String topic) {
        return new Subscription(topic, 1, false, false, 0);
    }

    public static Subscription of(String topic, int qos) {
        return new Subscription(topic, qos, false, false, 0);
    }

    public Subscription withQos(int newQos) {
        return new Subscription(topic, newQos, noLocal, retainAsPublished, retainHandling);
    }

    public Subscription withNoLocal(boolean newNoLocal) {
        return new Subscription(topic, qos, newNoLocal, retainAsPublished, retainHandling);
    }

    public Subscription withRetainAsPublished(boolean newRetainAsPublished) {
        return new Subscription(topic, qos, noLocal, newRetainAsPublished, retainHandling);
    }

    public Subscription withRetainHandling(int newRetainHandling) {
        return new Subscription(topic, qos, noLocal, retainAsPublished, newRetainHandling);
    }
}
