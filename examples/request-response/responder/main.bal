// The responder of the request/response pattern: a listener service that answers every
// request with `caller->respond`, which publishes to the request's responseTopic and copies
// its correlationData (spec §4.3.3, rule L5).

import ballerina/log;
import ballerina/mqtt;

configurable string brokerUrl = mqtt:DEFAULT_URL;
configurable string requestTopic = "examples/echo/requests";

listener mqtt:Listener requests = new (brokerUrl, "example-echo-responder", requestTopic);

service on requests {
    remote function onMessage(mqtt:Message request, mqtt:Caller caller) returns error? {
        string text = check string:fromBytes(request.payload);
        log:printInfo("request received", text = text, responseTopic = request.properties?.responseTopic);
        // Fails with "Response topic is not set" when the request names no response topic.
        check caller->respond({payload: text.toUpperAscii().toBytes(), qos: mqtt:AT_LEAST_ONCE});
    }

    remote function onComplete(mqtt:DeliveryToken token) {
        log:printInfo("response delivered", topic = token.topic, messageId = token.messageId);
    }

    remote function onError(mqtt:Error err) {
        log:printError("request not answered", 'error = err);
    }
}
