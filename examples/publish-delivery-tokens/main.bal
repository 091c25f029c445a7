// Publishes one reading at each quality of service and prints the delivery token that
// `publish` returns once the broker has the message as its QoS promises (spec §3.3, rule P1).

import ballerina/io;
import ballerina/mqtt;

configurable string brokerUrl = mqtt:DEFAULT_URL;
configurable string topic = "examples/sensors/t1/temperature";

public function main() returns error? {
    mqtt:Client publisher = check new (brokerUrl, "example-token-publisher", connectionConfig = {
        connectionTimeout: 10,
        keepAliveInterval: 30
    });

    // QoS 0 returns once written (packet id 0), QoS 1 after PUBACK, QoS 2 after PUBCOMP.
    foreach int qos in [mqtt:AT_MOST_ONCE, mqtt:AT_LEAST_ONCE, mqtt:EXACTLY_ONCE] {
        string reading = string `21.${qos} C`;
        mqtt:DeliveryToken token = check publisher->publish(topic, {payload: reading.toBytes(), qos});
        io:println(string `QoS ${qos}: delivered to ${token.topic} as packet ${token.messageId}`);
    }

    // A retained message: the broker keeps it and hands it to every later subscriber.
    mqtt:DeliveryToken retained = check publisher->publish(topic, {
        payload: "21.7 C".toBytes(),
        qos: mqtt:AT_LEAST_ONCE,
        retained: true,
        properties: {contentType: "text/plain", messageExpiryInterval: 3600}
    });
    io:println(string `retained reading delivered as packet ${retained.messageId}`);

    // Invalid input fails that call alone with an mqtt:Error that names the problem (rule P3).
    mqtt:DeliveryToken|mqtt:Error refused = publisher->publish("examples/sensors/#", {payload: [1]});
    if refused is mqtt:Error {
        io:println("refused as expected: ", refused.message());
    }

    check publisher->disconnect();
    check publisher->close();
}
