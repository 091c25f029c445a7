// The requester of the request/response pattern: a client that subscribes to its own
// response topic, publishes requests that name it, and reads the responses from the stream
// of `receiveResponse` (spec §3.3, rules R1 and R2; `receive` is the same method).

import ballerina/io;
import ballerina/mqtt;

configurable string brokerUrl = mqtt:DEFAULT_URL;
configurable string requestTopic = "examples/echo/requests";
configurable string responseTopic = "examples/echo/responses/example-echo-requester";

public function main() returns error? {
    mqtt:Client requester = check new (brokerUrl, "example-echo-requester");
    // Messages are buffered from `subscribe` on, so a fast response is not missed.
    check requester->subscribe({topic: responseTopic, qos: mqtt:AT_LEAST_ONCE});
    stream<mqtt:Message, error?> responses = check requester->receiveResponse();

    foreach string text in ["hello", "mqtt 5 request/response"] {
        string requestId = string `request-${text.length()}`;
        _ = check requester->publish(requestTopic, {
            payload: text.toBytes(),
            properties: {responseTopic, correlationData: requestId.toBytes()}
        });
        // `next` waits until the response arrives (start the responder first).
        record {|mqtt:Message value;|}? response = check responses.next();
        if response is () {
            break; // the client was closed
        }
        mqtt:Message reply = response.value;
        byte[] correlation = reply.properties?.correlationData ?: [];
        io:println(string `${check string:fromBytes(correlation)}: ${check string:fromBytes(reply.payload)}`);
    }

    check responses.close();
    check requester->disconnect();
    check requester->close();
}
