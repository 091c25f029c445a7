// Listener and service: lifecycle (L1), dispatch with and without a Caller (L2), acks (L3),
// errors (L4), respond and onComplete (L5), stop and detach (L6).

import ballerina/test;

@test:Config {groups: ["listener"]}
function serviceWithoutCallerReceivesMessagesInOrder() returns error? {
    string topic = uniqueTopic("in-order");
    Inbox inbox = new;
    Listener inbound = check startedListener("in-order", topic, recordingService(inbox));
    Client publisher = check new (plainUrl, uniqueClientId("in-order-pub"));
    foreach int i in 0 ..< 20 {
        _ = check publisher->publish(topic, {payload: i.toString().toBytes(), qos: 1});
    }
    (Message & readonly)[] received = check inbox.awaitMessages(20);
    foreach int i in 0 ..< 20 {
        test:assertEquals(check string:fromBytes(received[i].payload), i.toString());
        test:assertEquals(received[i].topic, topic);
    }
    release(publisher);
    check inbound.gracefulStop();
}

@test:Config {groups: ["listener"]}
function listenerAcceptsEverySubscriptionShape() returns error? {
    string base = uniqueTopic("listener-shapes");
    (string|string[]|Subscription|Subscription[])[] shapes = [
        base + "/string",
        [base + "/array/a", base + "/array/b"],
        {topic: base + "/record", qos: 2},
        [{topic: base + "/records/+", qos: 0}]
    ];
    string[] publishTo = [base + "/string", base + "/array/b", base + "/record", base + "/records/x"];
    foreach int i in 0 ..< shapes.length() {
        Inbox inbox = new;
        Listener inbound = check startedListener("shape", shapes[i], recordingService(inbox));
        check publishText(publishTo[i], "shape " + i.toString(), 1);
        (Message & readonly)[] received = check inbox.awaitMessages(1);
        test:assertEquals(received[0].topic, publishTo[i]);
        check inbound.gracefulStop();
    }
}

@test:Config {groups: ["listener"]}
function respondPublishesToTheResponseTopicAndCallsOnComplete() returns error? {
    string requestTopic = uniqueTopic("request");
    string responseTopic = uniqueTopic("response");
    Inbox inbox = new;
    Listener responder = check startedListener("responder", requestTopic, respondingService(inbox));

    Client requester = check new (plainUrl, uniqueClientId("requester"));
    check requester->subscribe(responseTopic);
    stream<Message, error?> responses = check requester->receiveResponse();
    _ = check requester->publish(requestTopic, {
        payload: "ping".toBytes(),
        properties: {responseTopic, correlationData: "req-1".toBytes()}
    });

    Message response = check nextMessage(responses);
    test:assertEquals(check string:fromBytes(response.payload), "Response for ping");
    test:assertEquals(response.topic, responseTopic);
    MessageProperties? properties = response.properties;
    test:assertEquals(properties?.correlationData, "req-1".toBytes(), "correlation data is copied");

    (DeliveryToken & readonly)[] tokens = check inbox.awaitTokens(1);
    test:assertEquals(tokens[0].topic, responseTopic);
    test:assertEquals(inbox.errors().length(), 0);
    release(requester);
    check responder.gracefulStop();
}

@test:Config {groups: ["listener"]}
function respondWithoutResponseTopicFails() returns error? {
    string requestTopic = uniqueTopic("no-response-topic");
    Inbox inbox = new;
    Listener responder = check startedListener("no-response-topic", requestTopic, respondingService(inbox));
    check publishText(requestTopic, "ping", 1);
    error[] errors = check inbox.awaitErrors(1);
    test:assertEquals(errors[0].message(), RESPONSE_TOPIC_NOT_SET_MESSAGE);
    check responder.gracefulStop();
}

@test:Config {groups: ["listener"]}
function errorReturnedByOnMessageReachesOnError() returns error? {
    string topic = uniqueTopic("on-message-error");
    Inbox inbox = new;
    Listener inbound = check startedListener("on-message-error", topic, failingService(inbox, false));
    check publishText(topic, "fail", 1);
    error[] errors = check inbox.awaitErrors(1);
    test:assertTrue(errors[0] is Error, "onError receives an mqtt:Error");
    test:assertTrue(mentions(errors[0], "returned failure"));
    check inbound.gracefulStop();
}

@test:Config {groups: ["listener"]}
function panicInOnMessageReachesOnError() returns error? {
    string topic = uniqueTopic("on-message-panic");
    Inbox inbox = new;
    Listener inbound = check startedListener("on-message-panic", topic, failingService(inbox, true));
    check publishText(topic, "panic", 1);
    error[] errors = check inbox.awaitErrors(1);
    test:assertTrue(mentions(errors[0], "panicked failure"));
    // The listener survives the panic and keeps dispatching.
    check publishText(topic, "again", 1);
    _ = check inbox.awaitErrors(2);
    check inbound.gracefulStop();
}

@test:Config {groups: ["listener"]}
function serviceWithoutOnMessageGetsAnError() returns error? {
    string topic = uniqueTopic("no-on-message");
    final Inbox inbox = new; // captured by an isolated service: must be final
    Service onlyOnError = isolated service object {
        remote function onError(Error err) {
            inbox.addError(err);
        }
    };
    Listener inbound = check startedListener("no-on-message", topic, onlyOnError);
    check publishText(topic, "nobody home", 1);
    error[] errors = check inbox.awaitErrors(1);
    test:assertTrue(mentions(errors[0], "method onMessage not found"));
    check inbound.gracefulStop();
}

@test:Config {groups: ["listener"]}
function secondAttachIsRejected() returns error? {
    Listener inbound = check new (plainUrl, uniqueClientId("second-attach"), uniqueTopic("second-attach"));
    check inbound.attach(recordingService(new Inbox()));
    Error? second = inbound.attach(recordingService(new Inbox()));
    assertMqttError(second);
    check inbound.immediateStop();
}

@test:Config {groups: ["listener"]}
function detachStopsDispatchAndAllowsAnotherService() returns error? {
    string topic = uniqueTopic("detach");
    Inbox firstInbox = new;
    Service first = recordingService(firstInbox);
    Listener inbound = check startedListener("detach", topic, first);
    check publishText(topic, "to first", 1);
    _ = check firstInbox.awaitMessages(1);

    check inbound.detach(first);
    check publishText(topic, "to nobody", 1);
    pause(QUIET_PERIOD);
    test:assertEquals(firstInbox.messages().length(), 1, "no message after detach");

    Inbox secondInbox = new;
    check inbound.attach(recordingService(secondInbox));
    check inbound.'start();
    check publishText(topic, "to second", 1);
    (Message & readonly)[] received = check secondInbox.awaitMessages(1);
    test:assertEquals(check string:fromBytes(received[received.length() - 1].payload), "to second");
    test:assertEquals(firstInbox.messages().length(), 1);
    check inbound.gracefulStop();
}

@test:Config {groups: ["listener"]}
function noMessageAfterGracefulStop() returns error? {
    check assertSilentAfterStop(true);
}

@test:Config {groups: ["listener"]}
function noMessageAfterImmediateStop() returns error? {
    check assertSilentAfterStop(false);
}

@test:Config {groups: ["listener"]}
function gracefulStopLetsTheRunningOnMessageFinish() returns error? {
    string topic = uniqueTopic("graceful-running");
    final Inbox inbox = new; // captured by an isolated service: must be final
    Service slow = isolated service object {
        remote function onMessage(Message message) {
            pause(1);
            inbox.addMessage(message.cloneReadOnly());
        }
    };
    Listener inbound = check startedListener("graceful-running", topic, slow);
    check publishText(topic, "slow", 1);
    pause(0.3);
    check inbound.gracefulStop();
    test:assertEquals(inbox.messages().length(), 1, "gracefulStop returns after the running onMessage finished");
}

@test:Config {groups: ["listener", "acks"]}
function completeInAutomaticModeIsANoOp() returns error? {
    string topic = uniqueTopic("auto-complete");
    Inbox inbox = new;
    Listener inbound = check startedListener("auto-complete", topic, completingService(inbox, true));
    check publishText(topic, "ack me", 2);
    _ = check inbox.awaitMessages(1);
    pause(0.3);
    test:assertEquals(inbox.errors().length(), 0, "complete() in automatic mode succeeds");
    check inbound.gracefulStop();
}

@test:Config {groups: ["listener", "acks"]}
function unacknowledgedMessageIsRedeliveredToTheSession() returns error? {
    check assertRedelivery(false, true);
}

@test:Config {groups: ["listener", "acks"]}
function completedMessageIsNotRedelivered() returns error? {
    check assertRedelivery(true, false);
}

# With manual acks, a message that the service did not `complete` stays unacknowledged: the
# broker sends it again (DUP set) when the same persistent session reconnects.
#
# + complete - Whether the first listener completes the message
# + expectRedelivery - Whether the second listener should get it again
# + return - An error if a step failed
function assertRedelivery(boolean complete, boolean expectRedelivery) returns error? {
    string topic = uniqueTopic(complete ? "manual-completed" : "manual-unacked");
    string clientId = uniqueClientId("manual-acks");
    ConnectionConfiguration persistentSession = {cleanStart: false, sessionExpiryInterval: 60};

    Inbox firstInbox = new;
    Listener first = check new (plainUrl, clientId, {topic, qos: 1}, manualAcks = true, connectionConfig = persistentSession);
    check first.attach(completingService(firstInbox, complete));
    check first.'start();
    check publishText(topic, "ack or not", 1);
    _ = check firstInbox.awaitMessages(1);
    pause(0.3);
    check first.immediateStop();

    Inbox secondInbox = new;
    Listener second = check new (plainUrl, clientId, {topic, qos: 1}, manualAcks = true, connectionConfig = persistentSession);
    check second.attach(completingService(secondInbox, true));
    check second.'start();
    if expectRedelivery {
        (Message & readonly)[] again = check secondInbox.awaitMessages(1);
        test:assertEquals(check string:fromBytes(again[0].payload), "ack or not");
        test:assertTrue(again[0].duplicate, "a redelivered QoS 1 message has DUP set");
    } else {
        pause(QUIET_PERIOD);
        test:assertEquals(secondInbox.messages().length(), 0, "a completed message is not redelivered");
    }
    // End the persistent session so that the broker forgets it.
    check second.gracefulStop();
}

function assertSilentAfterStop(boolean graceful) returns error? {
    string topic = uniqueTopic(graceful ? "graceful-stop" : "immediate-stop");
    Inbox inbox = new;
    Listener inbound = check startedListener("stop", topic, recordingService(inbox));
    check publishText(topic, "before stop", 1);
    _ = check inbox.awaitMessages(1);
    if graceful {
        check inbound.gracefulStop();
    } else {
        check inbound.immediateStop();
    }
    check publishText(topic, "after stop", 1);
    pause(QUIET_PERIOD);
    test:assertEquals(inbox.messages().length(), 1, "no message reaches the service after a stop");
}

# A service that answers every request with "Response for <payload>" and records what happens.
isolated function respondingService(Inbox inbox) returns Service {
    return isolated service object {
        remote function onMessage(Message message, Caller caller) returns error? {
            string request = check string:fromBytes(message.payload);
            Error? responded = caller->respond({payload: ("Response for " + request).toBytes()});
            if responded is Error {
                inbox.addError(responded);
            }
        }

        remote function onComplete(DeliveryToken token) {
            inbox.addToken(token.cloneReadOnly());
        }

        remote function onError(Error err) {
            inbox.addError(err);
        }
    };
}

# A service whose `onMessage` returns an error or panics; `onError` records what it receives.
isolated function failingService(Inbox inbox, boolean shouldPanic) returns Service {
    return isolated service object {
        remote function onMessage(Message message) returns error? {
            if shouldPanic {
                panic error("panicked failure");
            }
            return error("returned failure");
        }

        remote function onError(error err) {
            inbox.addError(err);
        }
    };
}

# A service that records each message and then (when `complete` is true) acknowledges it.
isolated function completingService(Inbox inbox, boolean complete) returns Service {
    return isolated service object {
        remote function onMessage(Message message, Caller caller) {
            inbox.addMessage(message.cloneReadOnly());
            if complete {
                Error? completed = caller->complete();
                if completed is Error {
                    inbox.addError(completed);
                }
            }
        }
    };
}
