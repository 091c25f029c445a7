// The MQTT client: publishes messages and receives the messages of its own subscriptions
// (the request/response pattern) through a stream.

import ballerina/jballerina.java;

# A connection to an MQTT 5 broker that publishes messages and receives the messages of
# its own subscriptions through a stream.
# ```ballerina
# mqtt:Client 'client = check new (mqtt:DEFAULT_URL, "publisher-1");
# ```
public client isolated class Client {

    # Connects to the broker. The connection is established (or has failed) when `new` returns.
    # ```ballerina
    # mqtt:Client 'client = check new ("ssl://broker.example.com", "publisher-1",
    #     connectionConfig = {secureSocket: {cert: "/etc/mqtt/ca.pem"}});
    # ```
    #
    # + serverUri - The broker URI: `tcp://` (port 1883 by default), `ssl://` (8883), `ws://` (80),
    #               `wss://` (443); `mqtt://` and `mqtts://` are aliases of `tcp://` and `ssl://`
    # + clientId - The client identifier, unique among the broker's clients
    # + config - The connection configuration and the will message
    # + return - An `mqtt:Error` if the URI is invalid or the broker cannot be reached, refuses
    #            the credentials or fails TLS within `connectionTimeout`, else `()`
    public isolated function init(string serverUri, string clientId, *ClientConfiguration config) returns Error? {
        check self.externInit(serverUri, clientId, config);
    }

    # Publishes a message and returns when it is delivered as its QoS promises: written to the
    # connection (QoS 0), acknowledged by PUBACK (QoS 1) or completed by PUBCOMP (QoS 2).
    # ```ballerina
    # mqtt:DeliveryToken token = check 'client->publish("sensors/t1", {payload: "21.5".toBytes(), qos: 2});
    # ```
    #
    # + topic - The topic to publish to; wildcards (`+`, `#`) are not allowed
    # + message - The message to publish
    # + return - The delivery token of the message, or an `mqtt:Error` if the topic or the QoS
    #            is invalid, the broker refused the message or the connection failed first
    isolated remote function publish(string topic, Message message) returns DeliveryToken|Error {
        return self.externPublish(topic, message);
    }

    # Subscribes the client to topics; from now on their messages are buffered for `receive`.
    # ```ballerina
    # check 'client->subscribe([{topic: "replies/publisher-1", qos: 2}, "alerts/#"]);
    # ```
    #
    # + subscriptions - A topic filter, a list of topic filters, a subscription or a list of
    #                   subscriptions; a bare topic filter is subscribed with QoS 1
    # + return - An `mqtt:Error` if the broker refused a subscription or the call failed, else `()`
    isolated remote function subscribe(string|string[]|Subscription|Subscription[] subscriptions) returns Error? {
        check self.externSubscribe(toSubscriptionList(subscriptions));
    }

    # Returns a stream over the messages of the client's subscriptions (the responses of the
    # request/response pattern). `next` waits until a message arrives. Same as `receive`.
    # ```ballerina
    # stream<mqtt:Message, error?> responses = check 'client->receiveResponse();
    # record {|mqtt:Message value;|}? response = check responses.next();
    # ```
    #
    # + T - The stream type to return
    # + return - The stream of received messages, or an `mqtt:Error` if the client is closed
    isolated remote function receiveResponse(typedesc<stream<Message, error?>> T = <>) returns T|Error =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "receive"
    } external;

    # Returns a stream over the messages of the client's subscriptions. `next` waits until a
    # message arrives. Same as `receiveResponse`.
    # ```ballerina
    # stream<mqtt:Message, error?> messages = check 'client->receive();
    # check from mqtt:Message message in messages
    #     do {
    #         io:println(check string:fromBytes(message.payload));
    #     };
    # ```
    #
    # + T - The stream type to return
    # + return - The stream of received messages, or an `mqtt:Error` if the client is closed
    isolated remote function receive(typedesc<stream<Message, error?>> T = <>) returns T|Error =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "receive"
    } external;

    # Tells whether the client is connected to the broker.
    # ```ballerina
    # boolean connected = check 'client->isConnected();
    # ```
    #
    # + return - `true` when connected, `false` when not, or an `mqtt:Error` if the client is closed
    isolated remote function isConnected() returns boolean|Error {
        return self.externIsConnected();
    }

    # Sends DISCONNECT to the broker, after waiting (for a bounded time) for the publishes
    # in flight. The client can connect again with `reconnect`.
    # ```ballerina
    # check 'client->disconnect();
    # ```
    #
    # + return - An `mqtt:Error` if the client is not connected or is closed, else `()`
    isolated remote function disconnect() returns Error? {
        check self.externDisconnect();
    }

    # Connects a disconnected client to the broker again; returns when connected or failed.
    # ```ballerina
    # check 'client->reconnect();
    # ```
    #
    # + return - An `mqtt:Error` if the connection failed or the client is closed, else `()`
    isolated remote function reconnect() returns Error? {
        check self.externReconnect();
    }

    # Releases every resource of a disconnected client. Every later call returns an
    # `mqtt:Error` with reason code 32111.
    # ```ballerina
    # check 'client->disconnect();
    # check 'client->close();
    # ```
    #
    # + return - An `mqtt:Error` with reason code 32100 if the client is still connected (call
    #            `disconnect` first), or with 32111 if it is already closed, else `()`
    isolated remote function close() returns Error? {
        check self.externClose();
    }

    private isolated function externInit(string serverUri, string clientId, ClientConfiguration config) returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "init"
    } external;

    private isolated function externPublish(string topic, Message message) returns DeliveryToken|Error =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "publish"
    } external;

    // Always called with the normalized `Subscription[]`; the parameter keeps the union type so
    // that the Java side takes it as `Object` (see ADAPTERS.md).
    private isolated function externSubscribe(string|string[]|Subscription|Subscription[] subscriptions) returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "subscribe"
    } external;

    private isolated function externIsConnected() returns boolean|Error =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "isConnected"
    } external;

    private isolated function externDisconnect() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "disconnect"
    } external;

    private isolated function externReconnect() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "reconnect"
    } external;

    private isolated function externClose() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ClientAdapter",
        name: "close"
    } external;
}
