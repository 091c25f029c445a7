package io.ballerina.lib.mqtt.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A topic filter with its QoS (default 1) and the MQTT 5 subscription options (contract §7):
 * {@code retainHandling} 0 = send retained messages at every subscribe, 1 = only for a new
 * subscription, 2 = never.
 */
public record Subscription(String topic, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
    /**
     * Checks and copies the components.
     *
     * @param topic the topic (received messages only); may be null
     * @param qos 0, 1 or 2
     * @param noLocal MQTT 5 No Local
     * @param retainAsPublished MQTT 5 Retain As Published
     * @param retainHandling 0 = send retained messages at every subscribe, 1 = only for a new subscription, 2 = never
     */
    public Subscription {
        MqttException.nonNull(topic, "Subscription topic");
    }

    /**
     * {@code {topic, qos: 1}}, as a bare topic string means in the contract (§2.2).
     *
     * @param topic the topic filter
     * @return the subscription
     */
    public static Subscription of(String topic) {
        return new Subscription(topic, 1, false, false, 0);
    }

    /**
     * A topic filter at {@code qos}, no options.
     *
     * @param topic the topic filter
     * @param qos   0, 1 or 2
     * @return the subscription
     */
    public static Subscription of(String topic, int qos) {
        return new Subscription(topic, qos, false, false, 0);
    }

    /**
     * {@code {filter, qos: 1}} for each filter.
     *
     * @param filters the topic filters, none null
     * @return the subscriptions, in order
     */
    public static List<Subscription> ofAll(String... filters) {
        MqttException.nonNull(filters, "Topic filter list");
        List<Subscription> list = new ArrayList<>(filters.length);
        for (String filter : filters) {
            list.add(of(MqttException.nonNull(filter, "Topic filter")));
        }
        return list;
    }

    /** The array as a list, checking it and its elements for null (32120). */
    static List<Subscription> listOf(Subscription... subscriptions) {
        MqttException.nonNull(subscriptions, "Subscription list");
        for (Subscription s : subscriptions) {
            MqttException.nonNull(s, "A subscription");
        }
        return List.of(subscriptions);
    }

    /**
     * A copy with another {@code qos}.
     *
     * @param newQos the new value
     * @return the copy
     */
    public Subscription withQos(int newQos) {
        return new Subscription(topic, newQos, noLocal, retainAsPublished, retainHandling);
    }

    /**
     * A copy with another {@code noLocal}.
     *
     * @param newNoLocal the new value
     * @return the copy
     */
    public Subscription withNoLocal(boolean newNoLocal) {
        return new Subscription(topic, qos, newNoLocal, retainAsPublished, retainHandling);
    }

    /**
     * A copy with another {@code retainAsPublished}.
     *
     * @param newRetainAsPublished the new value
     * @return the copy
     */
    public Subscription withRetainAsPublished(boolean newRetainAsPublished) {
        return new Subscription(topic, qos, noLocal, newRetainAsPublished, retainHandling);
    }

    /**
     * A copy with another {@code retainHandling}.
     *
     * @param newRetainHandling the new value
     * @return the copy
     */
    public Subscription withRetainHandling(int newRetainHandling) {
        return new Subscription(topic, qos, noLocal, retainAsPublished, newRetainHandling);
    }
}
