// A client that authenticates the broker and itself with certificates (mutual TLS):
// `secureSocket.cert` names the CA that signed the broker's certificate, `secureSocket.key`
// the client's certificate chain and private key (spec §2.1, rules T1-T5).

import ballerina/io;
import ballerina/mqtt;

configurable string brokerUrl = "ssl://localhost:8884";
configurable string caFile = "certs/ca.pem";
configurable string clientCertFile = "certs/client.pem";
configurable string clientKeyFile = "certs/client.key";
configurable string tlsVersion = "1.3";
configurable string topic = "examples/secure/hello";

public function main() returns error? {
    mqtt:Client secureClient = check new (brokerUrl, "example-mtls-client", connectionConfig = {
        secureSocket: {
            cert: caFile,
            key: {certFile: clientCertFile, keyFile: clientKeyFile},
            protocol: {name: mqtt:TLS, version: tlsVersion}
        },
        connectionTimeout: 10
    });
    io:println("connected with mutual TLS ", tlsVersion, ": ", check secureClient->isConnected());

    mqtt:DeliveryToken token = check secureClient->publish(topic, {
        payload: "hello over mutual TLS".toBytes(),
        qos: mqtt:EXACTLY_ONCE
    });
    io:println(string `delivered to ${token.topic} as packet ${token.messageId}`);

    check secureClient->disconnect();
    check secureClient->close();
}
