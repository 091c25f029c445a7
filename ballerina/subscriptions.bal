// Normalizes the four accepted shapes of a subscription argument into one list.

# Turns the subscription argument of `Client->subscribe` and `Listener.init` into a list of
# `Subscription` records: a bare topic string means `{topic: s, qos: 1}`.
#
# + subscriptions - A topic, a list of topics, a subscription or a list of subscriptions
# + return - The subscriptions, in the order given
isolated function toSubscriptionList(string|string[]|Subscription|Subscription[] subscriptions)
        returns Subscription[] {
    if subscriptions is string {
        return [{topic: subscriptions}];
    }
    if subscriptions is Subscription {
        return [subscriptions.clone()];
    }
    if subscriptions is string[] {
        return from string topic in subscriptions
            select {topic};
    }
    return subscriptions.clone();
}
