// Client: publish with each QoS, retained messages, the four subscription shapes, concurrent
// publishes and the MQTT 5 message properties (contract §2.1, P1–P4, §7).

import ballerina/test;

@test:Config {groups: ["client"]}
function publishQos0ReturnsTokenWithIdZero() returns error? {
    string topic = uniqueTopic("qos0");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("qos0-sub", {topic, qos: 0});
    Client publisher = check new (plainUrl, uniqueClientId("qos0-pub"));

    DeliveryToken token = check publisher->publish(topic, {payload: "zero".toBytes(), qos: 0});
    test:assertEquals(token, {messageId: 0, topic});

    Message received = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(received.payload), "zero");
    test:assertEquals(received.topic, topic);
    test:assertEquals(received.qos, 0);
    release(publisher);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function publishQos1And2WaitForTheAcknowledgement() returns error? {
    string topic = uniqueTopic("qos12");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("qos12-sub", {topic, qos: 2});
    Client publisher = check new (plainUrl, uniqueClientId("qos12-pub"));

    foreach int qos in [1, 2] {
        string text = string `qos ${qos}`;
        DeliveryToken token = check publisher->publish(topic, {payload: text.toBytes(), qos});
        test:assertEquals(token.topic, topic);
        test:assertTrue(token.messageId > 0 && token.messageId <= 65535, "packet id of a QoS 1/2 publish");

        Message received = check nextMessage(messages);
        test:assertEquals(check string:fromBytes(received.payload), text);
        test:assertEquals(received.qos, qos);
        test:assertFalse(received.duplicate);
        test:assertTrue(received.messageId is int);
    }
    release(publisher);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function defaultQosIsOne() returns error? {
    string topic = uniqueTopic("default-qos");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("defqos-sub", {topic, qos: 2});
    Client publisher = check new (plainUrl, uniqueClientId("defqos-pub"));

    DeliveryToken token = check publisher->publish(topic, {payload: "one".toBytes()});
    test:assertTrue(token.messageId > 0);
    Message received = check nextMessage(messages);
    test:assertEquals(received.qos, 1);
    release(publisher);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function retainedMessageReachesLateSubscriber() returns error? {
    string topic = uniqueTopic("retained");
    Client publisher = check new (plainUrl, uniqueClientId("retained-pub"));
    _ = check publisher->publish(topic, {payload: "kept".toBytes(), retained: true});

    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("retained-sub", topic);
    Message received = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(received.payload), "kept");
    test:assertTrue(received.retained);

    // An empty retained message clears the topic's retained message.
    _ = check publisher->publish(topic, {payload: [], retained: true});
    release(publisher);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function subscribeAcceptsAString() returns error? {
    string topic = uniqueTopic("shape-string");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("shape-string", topic);
    check publishText(topic, "string shape", 2);
    Message received = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(received.payload), "string shape");
    // A bare topic is subscribed with QoS 1: a QoS 2 publish arrives downgraded to 1.
    test:assertEquals(received.qos, 1);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function subscribeAcceptsAStringArray() returns error? {
    string first = uniqueTopic("shape-array/a");
    string second = uniqueTopic("shape-array/b");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("shape-array", [first, second]);
    check publishText(first, "a", 1);
    check publishText(second, "b", 1);
    Message one = check nextMessage(messages);
    Message two = check nextMessage(messages);
    test:assertEquals([one.topic, two.topic], [first, second]);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function subscribeAcceptsASubscription() returns error? {
    string topic = uniqueTopic("shape-record");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("shape-record", {topic, qos: 2});
    check publishText(topic, "record shape", 2);
    Message received = check nextMessage(messages);
    test:assertEquals(received.qos, 2);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function subscribeAcceptsASubscriptionArrayWithWildcards() returns error? {
    string base = uniqueTopic("shape-records");
    Subscription[] subscriptions = [{topic: base + "/+/single", qos: 0}, {topic: base + "/multi/#", qos: 2}];
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("shape-records", subscriptions);
    check publishText(base + "/x/single", "single-level", 1);
    check publishText(base + "/multi/a/b", "multi-level", 2);
    Message one = check nextMessage(messages);
    Message two = check nextMessage(messages);
    test:assertEquals([check string:fromBytes(one.payload), check string:fromBytes(two.payload)],
            ["single-level", "multi-level"]);
    test:assertEquals([one.qos, two.qos], [0, 2]);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function concurrentPublishesEachGetTheirOwnToken() returns error? {
    Client publisher = check new (plainUrl, uniqueClientId("concurrent-pub"));
    future<DeliveryToken|Error>[] calls = [];
    foreach int i in 0 ..< 20 {
        string topic = uniqueTopic(string `concurrent/${i}`);
        future<DeliveryToken|Error> call = start publishOn(publisher, topic, i % 3);
        calls.push(call);
    }
    foreach int i in 0 ..< 20 {
        DeliveryToken token = check wait calls[i];
        test:assertEquals(token.topic, uniqueTopic(string `concurrent/${i}`));
    }
    release(publisher);
}

@test:Config {groups: ["client"]}
function messagePropertiesTravelToTheSubscriber() returns error? {
    string topic = uniqueTopic("properties");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("props-sub", topic);
    Client publisher = check new (plainUrl, uniqueClientId("props-pub"));
    MessageProperties sent = {
        responseTopic: uniqueTopic("properties/reply"),
        correlationData: [1, 2, 3, 255],
        contentType: "application/json",
        messageExpiryInterval: 300,
        payloadFormatIndicator: true,
        userProperties: [{key: "tenant", value: "acme"}, {key: "tenant", value: "umbrella"}, {key: "k", value: "v"}]
    };
    _ = check publisher->publish(topic, {payload: "{}".toBytes(), properties: sent});

    Message received = check nextMessage(messages);
    MessageProperties? got = received.properties;
    if got is () {
        test:assertFail("the received message has no properties");
    }
    test:assertEquals(got.responseTopic, sent.responseTopic);
    test:assertEquals(got.correlationData, sent.correlationData);
    test:assertEquals(got.contentType, "application/json");
    test:assertEquals(got.payloadFormatIndicator, true);
    // The broker subtracts the time the message waited; it is never more than what was sent.
    int? expiry = got.messageExpiryInterval;
    test:assertTrue(expiry is int && expiry > 0 && expiry <= 300, "message expiry interval in seconds");
    test:assertEquals(got.userProperties, sent.userProperties, "order and repeated names are kept");
    release(publisher);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function noLocalSubscriptionSkipsOwnMessages() returns error? {
    string topic = uniqueTopic("no-local");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("nolocal", {topic, noLocal: true});
    _ = check subscriber->publish(topic, {payload: "own".toBytes()});
    check publishText(topic, "other", 1);
    Message received = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(received.payload), "other", "own message must be skipped");
    release(subscriber);
}

@test:Config {groups: ["client"]}
function willDetailsAreAccepted() returns error? {
    Client withWill = check new (plainUrl, uniqueClientId("will"),
        willDetails = {destinationTopic: uniqueTopic("will"), willMessage: {payload: "gone".toBytes(), qos: 1}},
        connectionConfig = {keepAliveInterval: 5, sessionExpiryInterval: 0});
    test:assertTrue(check connected(withWill));
    release(withWill);
}

isolated function publishOn(Client publisher, string topic, int qos) returns DeliveryToken|Error {
    return publisher->publish(topic, {payload: topic.toBytes(), qos});
}

# Publishes a text message from a short-lived client.
#
# + topic - The topic to publish to
# + text - The payload
# + qos - The QoS
# + return - An error if connecting or publishing failed
function publishText(string topic, string text, int qos) returns error? {
    Client publisher = check new (plainUrl, uniqueClientId("text-pub"));
    _ = check publisher->publish(topic, {payload: text.toBytes(), qos});
    release(publisher);
}
