// A listener service that acknowledges each message itself, only once it is handled
// (`manualAcks = true`, spec §4.3.3, rule L3). A message whose handling fails is not
// acknowledged; the broker sends it again when this session resumes (cleanStart false).

import ballerina/log;
import ballerina/mqtt;

configurable string brokerUrl = mqtt:DEFAULT_URL;
configurable string orderTopics = "examples/orders/+";

listener mqtt:Listener orders = new (brokerUrl, "example-order-listener",
    {topic: orderTopics, qos: mqtt:AT_LEAST_ONCE},
    connectionConfig = {cleanStart: false, sessionExpiryInterval: 3600, automaticReconnect: true},
    manualAcks = true
);

service on orders {
    remote function onMessage(mqtt:Message message, mqtt:Caller caller) returns error? {
        string orderText = check string:fromBytes(message.payload);
        if orderText.trim() == "" {
            // Returned errors reach onError (rule L4); this message stays unacknowledged.
            return error("empty order", topic = message.topic);
        }
        log:printInfo("order handled", topic = message.topic, orderText = orderText,
                duplicate = message.duplicate);
        // PUBACK (QoS 1) or PUBREC (QoS 2) goes out now, in the order MQTT 5 requires.
        check caller->complete();
    }

    remote function onError(mqtt:Error err) {
        log:printError("order not handled", 'error = err);
    }
}
