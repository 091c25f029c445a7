// Client: receive streams (R1, R2), connection state and close rules (C1, C6, C7), and
// input validation (P3).

import ballerina/test;

@test:Config {groups: ["client"]}
function receiveAndReceiveResponseBothStreamMessages() returns error? {
    string topic = uniqueTopic("receive-response");
    Client requester = check new (plainUrl, uniqueClientId("receive-response"));
    check requester->subscribe(topic);
    check publishText(topic, "first", 1);
    check publishText(topic, "second", 1);

    stream<Message, error?> responses = check requester->receiveResponse();
    Message first = check nextMessage(responses);
    test:assertEquals(check string:fromBytes(first.payload), "first");
    check responses.close();

    stream<Message, error?> messages = check requester->receive();
    Message second = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(second.payload), "second", "closing a stream keeps the other messages");
    check messages.close();
    release(requester);
}

@test:Config {groups: ["client"]}
function messagesAreBufferedFromSubscribeOn() returns error? {
    string topic = uniqueTopic("buffered");
    Client requester = check new (plainUrl, uniqueClientId("buffered"));
    check requester->subscribe(topic);
    foreach int i in 1 ... 5 {
        check publishText(topic, i.toString(), 1);
    }
    // The stream is created after the messages arrived: none of them is lost, order is kept.
    stream<Message, error?> messages = check requester->receive();
    foreach int i in 1 ... 5 {
        Message received = check nextMessage(messages);
        test:assertEquals(check string:fromBytes(received.payload), i.toString());
    }
    release(requester);
}

@test:Config {groups: ["client"]}
function closedStreamRejectsNextAndClose() returns error? {
    string topic = uniqueTopic("closed-stream");
    [Client, stream<Message, error?>] [subscriber, messages] = check subscribedClient("closed-stream", topic);
    check publishText(topic, "before close", 1);
    Message received = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(received.payload), "before close");

    check messages.close();
    record {|Message value;|}|error? afterClose = messages.next();
    if afterClose !is error {
        test:assertFail("next() on a closed stream must fail");
    }
    test:assertEquals(afterClose.message(), STREAM_CLOSED_MESSAGE);
    error? closedTwice = messages.close();
    if closedTwice !is error {
        test:assertFail("close() on a closed stream must fail");
    }
    test:assertEquals(closedTwice.message(), STREAM_CLOSED_MESSAGE);
    release(subscriber);
}

@test:Config {groups: ["client"]}
function closingTheClientEndsAWaitingStream() returns error? {
    Client subscriber = check new (plainUrl, uniqueClientId("ends-stream"));
    check subscriber->subscribe(uniqueTopic("ends-stream"));
    stream<Message, error?> messages = check subscriber->receive();
    future<Message|string> reader = start readOne(messages);
    pause(0.5);
    release(subscriber);
    Message|string outcome = check wait reader;
    test:assertTrue(outcome is string, "a blocked next() returns when the client is closed");
}

@test:Config {groups: ["client"]}
function connectionStateFollowsDisconnectAndReconnect() returns error? {
    string topic = uniqueTopic("reconnect");
    Client mqttClient = check new (plainUrl, uniqueClientId("reconnect"));
    test:assertTrue(check connected(mqttClient));

    check mqttClient->disconnect();
    test:assertFalse(check connected(mqttClient));
    DeliveryToken|Error offlinePublish = mqttClient->publish(topic, {payload: "offline".toBytes()});
    assertMqttError(offlinePublish);

    check mqttClient->reconnect();
    test:assertTrue(check connected(mqttClient));
    DeliveryToken token = check mqttClient->publish(topic, {payload: "online".toBytes()});
    test:assertEquals(token.topic, topic);
    release(mqttClient);
}

@test:Config {groups: ["client"]}
function closeWhileConnectedFailsWith32100() returns error? {
    Client mqttClient = check new (plainUrl, uniqueClientId("close-connected"));
    Error? closeWhileConnected = mqttClient->close();
    assertMqttError(closeWhileConnected, "connected", CLIENT_CONNECTED);
    test:assertTrue(check connected(mqttClient), "a refused close leaves the client usable");
    check mqttClient->disconnect();
    check mqttClient->close();
}

@test:Config {groups: ["client"]}
function everyCallAfterCloseFailsWith32111() returns error? {
    string topic = uniqueTopic("after-close");
    Client mqttClient = check new (plainUrl, uniqueClientId("after-close"));
    check mqttClient->disconnect();
    check mqttClient->close();

    DeliveryToken|Error publishAfterClose = mqttClient->publish(topic, {payload: "late".toBytes()});
    assertMqttError(publishAfterClose, reasonCode = CLIENT_CLOSED);
    Error? subscribeAfterClose = mqttClient->subscribe(topic);
    assertMqttError(subscribeAfterClose, reasonCode = CLIENT_CLOSED);
    stream<Message, error?>|Error messages = mqttClient->receive();
    assertMqttError(messages, reasonCode = CLIENT_CLOSED);
    boolean|Error isConnectedAfterClose = mqttClient->isConnected();
    assertMqttError(isConnectedAfterClose, reasonCode = CLIENT_CLOSED);
    Error? disconnectAfterClose = mqttClient->disconnect();
    assertMqttError(disconnectAfterClose, reasonCode = CLIENT_CLOSED);
    Error? reconnectAfterClose = mqttClient->reconnect();
    assertMqttError(reconnectAfterClose, reasonCode = CLIENT_CLOSED);
    Error? closeAfterClose = mqttClient->close();
    assertMqttError(closeAfterClose, reasonCode = CLIENT_CLOSED);
}

@test:Config {groups: ["client", "validation"]}
function unknownUriSchemeFailsInit() {
    Client|Error result = new ("http://127.0.0.1:1883", uniqueClientId("bad-scheme"));
    assertMqttError(result, "http://127.0.0.1:1883");
    if result is Error {
        test:assertTrue(mentions(result, "tcp://") && mentions(result, "ssl://"), "names the accepted schemes");
    }
}

@test:Config {groups: ["client", "validation"]}
function uriWithoutHostOrWithBadPortFailsInit() {
    Client|Error noHost = new ("tcp://:1883", uniqueClientId("no-host"));
    assertMqttError(noHost, "tcp://:1883");
    Client|Error badPort = new ("tcp://127.0.0.1:99999", uniqueClientId("bad-port"));
    assertMqttError(badPort, "tcp://127.0.0.1:99999");
}

@test:Config {groups: ["client"]}
function mqttSchemeIsAnAliasOfTcp() returns error? {
    string alias = plainUrl.startsWith("tcp://") ? "mqtt://" + plainUrl.substring(6) : plainUrl;
    Client mqttClient = check new (alias, uniqueClientId("alias"));
    test:assertTrue(check connected(mqttClient));
    release(mqttClient);
}

@test:Config {groups: ["client"]}
function unreachableBrokerFailsInitWith32103() {
    Client|Error result = new ("tcp://127.0.0.1:1", uniqueClientId("unreachable"), connectionConfig = {connectionTimeout: 5});
    assertMqttError(result, reasonCode = SERVER_CONNECT_ERROR);
}

@test:Config {groups: ["client"]}
function serverUrisAreTriedInOrder() returns error? {
    Client mqttClient = check new ("tcp://127.0.0.1:1", uniqueClientId("failover"),
        connectionConfig = {serverUris: ["tcp://127.0.0.1:1", plainUrl], connectionTimeout: 5});
    test:assertTrue(check connected(mqttClient));
    release(mqttClient);
}

@test:Config {groups: ["client", "validation"]}
function invalidTopicsAreRejected() returns error? {
    Client publisher = check new (plainUrl, uniqueClientId("bad-topic"));
    foreach string topic in ["", "a/+/b", "a/#", "nul\u{0}char"] {
        DeliveryToken|Error rejected = publisher->publish(topic, {payload: "x".toBytes()});
        assertMqttError(rejected, "topic");
    }
    test:assertTrue(check connected(publisher), "a rejected publish leaves the client connected");
    release(publisher);
}

@test:Config {groups: ["client", "validation"]}
function invalidQosIsRejected() returns error? {
    string topic = uniqueTopic("bad-qos");
    Client publisher = check new (plainUrl, uniqueClientId("bad-qos"));
    DeliveryToken|Error qosThree = publisher->publish(topic, {payload: "x".toBytes(), qos: 3});
    assertMqttError(qosThree, "qos");
    DeliveryToken|Error negativeQos = publisher->publish(topic, {payload: "x".toBytes(), qos: -1});
    assertMqttError(negativeQos, "qos");
    Error? subscribeQosThree = publisher->subscribe({topic, qos: 3});
    assertMqttError(subscribeQosThree, "qos");
    test:assertTrue(check connected(publisher));
    release(publisher);
}
