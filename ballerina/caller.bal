// The caller handed to `onMessage`: acknowledges a message and answers a request.

import ballerina/jballerina.java;

# Acts on the message that `onMessage` received: acknowledges it (with `manualAcks = true`)
# or publishes a response to the request's response topic. The listener creates it; a
# service receives it as the second parameter of `onMessage`.
# ```ballerina
# remote function onMessage(mqtt:Message message, mqtt:Caller caller) returns error? {
#     check caller->respond({payload: "done".toBytes()});
#     check caller->complete();
# }
# ```
public client isolated class Caller {

    # Acknowledges the received message (PUBACK for QoS 1, PUBREC for QoS 2). Acks go out in
    # the order MQTT 5 requires, even when `complete` calls come out of order. With
    # `manualAcks = false` the listener acknowledges by itself and this call does nothing.
    # ```ballerina
    # check caller->complete();
    # ```
    #
    # + return - An `mqtt:Error` if the acknowledgement cannot be sent, else `()`
    isolated remote function complete() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.CallerAdapter",
        name: "complete"
    } external;

    # Publishes a response to the `responseTopic` of the received message, copying its
    # `correlationData`. When the response is delivered, the service's `onComplete` (if any)
    # receives its delivery token.
    # ```ballerina
    # check caller->respond({payload: "accepted".toBytes(), qos: 1});
    # ```
    #
    # + response - The response message; its `properties.responseTopic` and
    #              `properties.correlationData` are taken from the request
    # + return - An `mqtt:Error` if the request has no response topic ("Response topic is not
    #            set") or publishing failed, else `()`
    isolated remote function respond(Message response) returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.CallerAdapter",
        name: "respond"
    } external;
}
