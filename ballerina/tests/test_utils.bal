// Shared configuration and helpers of the test suite. Broker URLs and TLS paths come from
// tests/Config.toml; tests/resources/brokers.sh starts matching mosquitto brokers.

import ballerina/lang.runtime;
import ballerina/test;
import ballerina/uuid;

# Anonymous plain-TCP broker.
configurable string plainUrl = "tcp://127.0.0.1:1883";
# Plain-TCP broker that requires `brokerUsername`/`brokerPassword`.
configurable string authUrl = "tcp://127.0.0.1:1884";
# Server-authenticated TLS listener (certificate for `localhost`, signed by `ca.pem`).
configurable string tlsUrl = "ssl://localhost:8883";
# Mutual-TLS listener: the client must present a certificate signed by `ca.pem`.
configurable string mtlsUrl = "ssl://localhost:8884";
configurable string brokerUsername = "ballerina";
configurable string brokerPassword = "ballerinamqtt";
# Directory written by tests/certs/gen-certs.sh plus the PKCS#12 stores made by brokers.sh.
configurable string certDir = "target/test-brokers/certs";
# Password of truststore.p12 and client-keystore.p12.
configurable string storePassword = "changeit";

// How long a test waits for something that should happen, in seconds.
const decimal RECEIVE_TIMEOUT = 10;
// How long a test waits to be fairly sure something does not happen, in seconds.
const decimal QUIET_PERIOD = 1.5;

final string runId = uuid:createType4AsString();

isolated function caCertPath() returns string => certDir + "/ca.pem";

isolated function clientCertPath() returns string => certDir + "/client.pem";

isolated function clientKeyPath() returns string => certDir + "/client.key";

isolated function trustStorePath() returns string => certDir + "/truststore.p12";

isolated function keyStorePath() returns string => certDir + "/client-keystore.p12";

# A topic no other test (or earlier run) uses.
isolated function uniqueTopic(string name) returns string => string `bal-test/${runId}/${name}`;

# A client identifier no other test uses.
isolated function uniqueClientId(string name) returns string => string `${name}-${uuid:createType4AsString()}`;

# Records what a service (or a test) observed; read by the test with the `await…` methods.
isolated class Inbox {
    // Field names differ from the accessor methods: an object's fields and methods share one namespace.
    private (Message & readonly)[] receivedMessages = [];
    private error[] recordedErrors = [];
    private (DeliveryToken & readonly)[] recordedTokens = [];

    isolated function addMessage(Message & readonly message) {
        lock {
            self.receivedMessages.push(message);
        }
    }

    isolated function addError(error err) {
        lock {
            self.recordedErrors.push(err);
        }
    }

    isolated function addToken(DeliveryToken & readonly token) {
        lock {
            self.recordedTokens.push(token);
        }
    }

    isolated function messages() returns (Message & readonly)[] {
        lock {
            return self.receivedMessages.clone();
        }
    }

    isolated function errors() returns error[] {
        lock {
            return self.recordedErrors.clone();
        }
    }

    isolated function tokens() returns (DeliveryToken & readonly)[] {
        lock {
            return self.recordedTokens.clone();
        }
    }

    # Waits until at least `count` messages arrived.
    #
    # + count - The number of messages to wait for
    # + return - The messages received so far, or an error after `RECEIVE_TIMEOUT`
    isolated function awaitMessages(int count) returns (Message & readonly)[]|error {
        decimal waited = 0;
        while true {
            (Message & readonly)[] received = self.messages();
            if received.length() >= count {
                return received;
            }
            if waited >= RECEIVE_TIMEOUT {
                return error(string `expected ${count} message(s) within ${RECEIVE_TIMEOUT} s, got ${received.length()}`);
            }
            runtime:sleep(0.05);
            waited += 0.05;
        }
    }

    # Waits until at least `count` errors were recorded.
    #
    # + count - The number of errors to wait for
    # + return - The errors recorded so far, or an error after `RECEIVE_TIMEOUT`
    isolated function awaitErrors(int count) returns error[]|error {
        decimal waited = 0;
        while true {
            error[] recorded = self.errors();
            if recorded.length() >= count {
                return recorded;
            }
            if waited >= RECEIVE_TIMEOUT {
                return error(string `expected ${count} error(s) within ${RECEIVE_TIMEOUT} s, got ${recorded.length()}`);
            }
            runtime:sleep(0.05);
            waited += 0.05;
        }
    }

    # Waits until at least `count` delivery tokens were recorded.
    #
    # + count - The number of tokens to wait for
    # + return - The tokens recorded so far, or an error after `RECEIVE_TIMEOUT`
    isolated function awaitTokens(int count) returns (DeliveryToken & readonly)[]|error {
        decimal waited = 0;
        while true {
            (DeliveryToken & readonly)[] recorded = self.tokens();
            if recorded.length() >= count {
                return recorded;
            }
            if waited >= RECEIVE_TIMEOUT {
                return error(string `expected ${count} token(s) within ${RECEIVE_TIMEOUT} s, got ${recorded.length()}`);
            }
            runtime:sleep(0.05);
            waited += 0.05;
        }
    }
}

# Reads the next message of a stream, giving up after `timeoutSeconds`. After a timeout the
# reading strand stays blocked and takes the next message, so only time out at the end of a test.
#
# + messages - The stream to read
# + timeoutSeconds - How long to wait, in seconds
# + return - The message, or an error if the stream failed, ended or stayed empty
function nextMessage(stream<Message, error?> messages, decimal timeoutSeconds = RECEIVE_TIMEOUT) returns Message|error {
    future<Message|string> reader = start readOne(messages);
    future<()> timer = start pause(timeoutSeconds);
    Message|string|() result = wait reader | timer;
    if result is () {
        return error(string `no message within ${timeoutSeconds} s`);
    }
    if result is string {
        return error(result);
    }
    return result;
}

function readOne(stream<Message, error?> messages) returns Message|string {
    record {|Message value;|}|error? next = messages.next();
    if next is error {
        return next.message();
    }
    if next is () {
        return "the stream ended";
    }
    return next.value;
}

isolated function pause(decimal seconds) {
    runtime:sleep(seconds);
}

# Connects a client to the plain broker and subscribes it to `topics`.
#
# + name - A name for the client identifier
# + topics - What to subscribe to
# + return - The client and its receive stream
function subscribedClient(string name, string|string[]|Subscription|Subscription[] topics)
        returns [Client, stream<Message, error?>]|error {
    Client subscriber = check new (plainUrl, uniqueClientId(name));
    check subscriber->subscribe(topics);
    stream<Message, error?> messages = check subscriber->receive();
    return [subscriber, messages];
}

# Disconnects and closes a client, ignoring errors (for the end of a test).
#
# + mqttClient - The client to release
isolated function release(Client mqttClient) {
    // Either call fails harmlessly when the client is already disconnected or closed.
    Error? disconnected = mqttClient->disconnect();
    Error? closed = mqttClient->close();
    if closed is Error && disconnected is () {
        panic error("a disconnected client must close", closed);
    }
}

# Asserts that `result` is an `mqtt:Error` whose message (or a cause's) contains `text` and,
# when given, whose reason code is `reasonCode`.
#
# + result - The value to check
# + text - A part of the expected message, or `()` for any
# + reasonCode - The expected reason code, or `()` for any
isolated function assertMqttError(any|error result, string? text = (), int? reasonCode = ()) {
    if result !is Error {
        test:assertFail(string `expected an mqtt:Error, got ${(typeof result).toString()}`);
    }
    if text is string {
        test:assertTrue(mentions(result, text), string `"${result.message()}" does not mention "${text}"`);
    }
    if reasonCode is int {
        test:assertEquals(result.detail().reasonCode, reasonCode, "reason code of " + result.message());
    }
}

# Tells whether an error's message, or the message of one of its causes, contains `text`
# (ignoring ASCII case).
#
# + err - The error
# + text - The text to look for
# + return - `true` when found
isolated function mentions(error err, string text) returns boolean {
    error? current = err;
    while current is error {
        if current.message().toLowerAscii().includes(text.toLowerAscii()) {
            return true;
        }
        current = current.cause();
    }
    return false;
}

# A service that records every message, error and delivery token in `inbox`.
#
# + inbox - Where to record
# + return - The service
isolated function recordingService(Inbox inbox) returns Service {
    return isolated service object {
        remote function onMessage(Message message) {
            inbox.addMessage(message.cloneReadOnly());
        }

        remote function onError(Error err) {
            inbox.addError(err);
        }

        remote function onComplete(DeliveryToken token) {
            inbox.addToken(token.cloneReadOnly());
        }
    };
}

# Starts a listener on the plain broker with `svc` attached.
#
# + name - A name for the client identifier
# + subscriptions - What to subscribe to
# + svc - The service to attach
# + manualAcks - The acknowledgement mode
# + return - The started listener
isolated function startedListener(string name, string|string[]|Subscription|Subscription[] subscriptions,
        Service svc, boolean manualAcks = false) returns Listener|error {
    Listener inbound = check new (plainUrl, uniqueClientId(name), subscriptions, manualAcks = manualAcks);
    check inbound.attach(svc);
    check inbound.'start();
    return inbound;
}

# Whether the client is connected (a function, so that tests can use it inside expressions,
# where a remote method call is not allowed).
#
# + mqttClient - The client
# + return - The result of `isConnected`
isolated function connected(Client mqttClient) returns boolean|Error {
    return mqttClient->isConnected();
}
