// The MQTT listener: subscribes to topics and dispatches their messages to a service.

import ballerina/jballerina.java;

# Subscribes to topics and dispatches their messages, one at a time and in arrival order, to
# the attached `mqtt:Service`. One service per listener.
# ```ballerina
# listener mqtt:Listener sensors = new (mqtt:DEFAULT_URL, "sensor-listener", "sensors/#");
#
# service on sensors {
#     remote function onMessage(mqtt:Message message) returns error? {
#         io:println(check string:fromBytes(message.payload));
#     }
# }
# ```
public isolated class Listener {

    # Connects to the broker. The connection is established (or has failed) when `new`
    # returns; the subscriptions are made by `'start`.
    # ```ballerina
    # mqtt:Listener orders = check new (mqtt:DEFAULT_URL, "orders-listener",
    #     [{topic: "orders/new", qos: 2}, "orders/cancelled"], manualAcks = true);
    # ```
    #
    # + serverUri - The broker URI: `tcp://` (port 1883 by default), `ssl://` (8883), `ws://` (80),
    #               `wss://` (443); `mqtt://` and `mqtts://` are aliases of `tcp://` and `ssl://`
    # + clientId - The client identifier, unique among the broker's clients
    # + subscriptions - A topic filter, a list of topic filters, a subscription or a list of
    #                   subscriptions; a bare topic filter is subscribed with QoS 1
    # + config - The connection configuration and the acknowledgement mode
    # + return - An `mqtt:Error` if the URI is invalid or the broker cannot be reached, refuses
    #            the credentials or fails TLS within `connectionTimeout`, else `()`
    public isolated function init(string serverUri, string clientId,
            string|string[]|Subscription|Subscription[] subscriptions, *ListenerConfiguration config) returns Error? {
        check self.externInit(serverUri, clientId, toSubscriptionList(subscriptions), config);
    }

    # Attaches the service that receives the messages. A listener takes one service at a time.
    # ```ballerina
    # check orders.attach(orderService);
    # ```
    #
    # + 'service - The service to dispatch messages to
    # + name - Ignored; MQTT services have no name
    # + return - An `mqtt:Error` if a service is already attached, else `()`
    public isolated function attach(Service 'service, string[]|string? name = ()) returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ListenerAdapter",
        name: "attach"
    } external;

    # Detaches the service: unsubscribes and stops dispatching to it. Another service may be
    # attached later.
    # ```ballerina
    # check orders.detach(orderService);
    # ```
    #
    # + 'service - The attached service
    # + return - An `mqtt:Error` if the service is not the attached one or unsubscribing failed, else `()`
    public isolated function detach(Service 'service) returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ListenerAdapter",
        name: "detach"
    } external;

    # Subscribes to the listener's topics and starts dispatching their messages to the service.
    # ```ballerina
    # check orders.'start();
    # ```
    #
    # + return - An `mqtt:Error` if subscribing failed, else `()`
    public isolated function 'start() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ListenerAdapter",
        name: "start"
    } external;

    # Stops taking new messages, lets the running `onMessage` finish and its acknowledgement
    # go out, then disconnects and releases every resource.
    # ```ballerina
    # check orders.gracefulStop();
    # ```
    #
    # + return - An `mqtt:Error` if stopping failed, else `()`
    public isolated function gracefulStop() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ListenerAdapter",
        name: "gracefulStop"
    } external;

    # Disconnects at once and releases every resource; no message reaches the service afterwards.
    # ```ballerina
    # check orders.immediateStop();
    # ```
    #
    # + return - An `mqtt:Error` if stopping failed, else `()`
    public isolated function immediateStop() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ListenerAdapter",
        name: "immediateStop"
    } external;

    // Always called with the normalized `Subscription[]`; the parameter keeps the union type so
    // that the Java side takes it as `Object` (see ADAPTERS.md).
    private isolated function externInit(string serverUri, string clientId,
            string|string[]|Subscription|Subscription[] subscriptions, ListenerConfiguration config) returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.ListenerAdapter",
        name: "init"
    } external;
}
