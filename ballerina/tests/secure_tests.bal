// TLS (T1–T5) and username/password authentication (C6, E2). The TLS material comes from
// tests/certs/gen-certs.sh; the PKCS#12 stores from tests/resources/brokers.sh.

import ballerina/crypto;
import ballerina/test;

@test:Config {groups: ["auth"]}
function usernameAndPasswordAreAccepted() returns error? {
    Client mqttClient = check new (authUrl, uniqueClientId("auth-ok"),
        connectionConfig = {username: brokerUsername, password: brokerPassword});
    check assertRoundTrip(mqttClient, "auth");
}

@test:Config {groups: ["auth"]}
function wrongPasswordIsRefusedWithTheBrokersReasonCode() {
    Client|Error result = new (authUrl, uniqueClientId("auth-bad"),
        connectionConfig = {username: brokerUsername, password: "not-the-password"});
    assertMqttError(result);
    if result is Error {
        int? code = result.detail().reasonCode;
        // 134 bad user name or password, or 135 not authorized: brokers differ in which they send.
        test:assertTrue(code == 134 || code == 135, string `reason code ${code.toString()}`);
        test:assertFalse(mentions(result, "not-the-password"), "the password is never printed (E3)");
    }
}

@test:Config {groups: ["auth"]}
function missingCredentialsAreRefused() {
    Client|Error result = new (authUrl, uniqueClientId("auth-none"));
    assertMqttError(result);
}

@test:Config {groups: ["tls"]}
function tlsWithPemCaCertificate() returns error? {
    Client mqttClient = check new (tlsUrl, uniqueClientId("tls-pem"),
        connectionConfig = {secureSocket: {cert: caCertPath()}});
    check assertRoundTrip(mqttClient, "tls-pem");
}

@test:Config {groups: ["tls"]}
function tlsWithTrustStore() returns error? {
    crypto:TrustStore trustStore = {path: trustStorePath(), password: storePassword};
    Client mqttClient = check new (tlsUrl, uniqueClientId("tls-truststore"),
        connectionConfig = {secureSocket: {cert: trustStore}});
    check assertRoundTrip(mqttClient, "tls-truststore");
}

@test:Config {groups: ["tls"]}
function tlsWithPinnedVersions() returns error? {
    foreach string version in ["1.2", "1.3"] {
        Client mqttClient = check new (tlsUrl, uniqueClientId("tls-" + version),
            connectionConfig = {secureSocket: {cert: caCertPath(), protocol: {name: TLS, version}}});
        check assertRoundTrip(mqttClient, "tls-version");
    }
}

@test:Config {groups: ["tls"]}
function sslProtocolIsRejected() {
    Client|Error result = new (tlsUrl, uniqueClientId("ssl"),
        connectionConfig = {secureSocket: {cert: caCertPath(), protocol: {name: SSL, version: "3.0"}}});
    assertMqttError(result);
}

@test:Config {groups: ["tls"]}
function untrustedServerIsRejected() {
    // The client certificate is not a CA: the server's chain cannot be verified against it.
    Client|Error result = new (tlsUrl, uniqueClientId("tls-untrusted"),
        connectionConfig = {secureSocket: {cert: clientCertPath()}});
    assertMqttError(result);
}

@test:Config {groups: ["tls"]}
function noSecureSocketTrustsTheJvmDefaults() {
    // T6: without `cert` the client trusts what the JVM trusts by default, which does not include
    // the test CA, so the handshake fails certificate verification. The accepting case (the CA in
    // a store named by javax.net.ssl.trustStore) needs its own JVM: java-bridge DefaultTrustTest.
    Client|Error result = new (tlsUrl, uniqueClientId("tls-default-trust"));
    assertMqttError(result, "certificate verification failed");
    if result is Error {
        test:assertTrue(mentions(result, "the JVM trusts by default"), result.message());
    }
}

@test:Config {groups: ["mtls"]}
function keyWithoutCertTrustsTheJvmDefaults() {
    // T6: a `key` without `cert` is mutual TLS with the JVM's default trust (as above).
    Client|Error result = new (mtlsUrl, uniqueClientId("mtls-default-trust"),
        connectionConfig = {secureSocket: {key: {certFile: clientCertPath(), keyFile: clientKeyPath()}}});
    assertMqttError(result, "certificate verification failed");
}

@test:Config {groups: ["tls"]}
function missingCertificateFileIsNamed() {
    string missing = certDir + "/does-not-exist.pem";
    Client|Error result = new (tlsUrl, uniqueClientId("tls-missing"), connectionConfig = {secureSocket: {cert: missing}});
    assertMqttError(result, "does-not-exist.pem");
}

@test:Config {groups: ["tls"]}
function wrongTrustStorePasswordIsRejected() {
    crypto:TrustStore trustStore = {path: trustStorePath(), password: "wrong-store-password"};
    Client|Error result = new (tlsUrl, uniqueClientId("tls-bad-store"), connectionConfig = {secureSocket: {cert: trustStore}});
    assertMqttError(result, "truststore.p12");
    if result is Error {
        test:assertFalse(mentions(result, "wrong-store-password"), "the password is never printed (E3)");
    }
}

@test:Config {groups: ["mtls"]}
function mutualTlsWithCertKey() returns error? {
    Client mqttClient = check new (mtlsUrl, uniqueClientId("mtls-certkey"), connectionConfig = {
        secureSocket: {cert: caCertPath(), key: {certFile: clientCertPath(), keyFile: clientKeyPath()}}
    });
    check assertRoundTrip(mqttClient, "mtls-certkey");
}

@test:Config {groups: ["mtls"]}
function mutualTlsWithKeyStore() returns error? {
    crypto:KeyStore keyStore = {path: keyStorePath(), password: storePassword};
    crypto:TrustStore trustStore = {path: trustStorePath(), password: storePassword};
    Client mqttClient = check new (mtlsUrl, uniqueClientId("mtls-keystore"),
        connectionConfig = {secureSocket: {cert: trustStore, key: keyStore}});
    check assertRoundTrip(mqttClient, "mtls-keystore");
}

@test:Config {groups: ["mtls"]}
function mutualTlsWithoutClientCertificateFails() {
    Client|Error result = new (mtlsUrl, uniqueClientId("mtls-no-key"), connectionConfig = {secureSocket: {cert: caCertPath()}});
    assertMqttError(result);
}

@test:Config {groups: ["mtls"]}
function listenerOverMutualTls() returns error? {
    string topic = uniqueTopic("mtls-listener");
    ConnectionConfiguration mtls = {
        secureSocket: {cert: caCertPath(), key: {certFile: clientCertPath(), keyFile: clientKeyPath()}}
    };
    Inbox inbox = new;
    Listener inbound = check new (mtlsUrl, uniqueClientId("mtls-listener"), topic, connectionConfig = mtls);
    check inbound.attach(recordingService(inbox));
    check inbound.'start();
    check publishText(topic, "over mtls", 1);
    (Message & readonly)[] received = check inbox.awaitMessages(1);
    test:assertEquals(check string:fromBytes(received[0].payload), "over mtls");
    check inbound.gracefulStop();
}

# Subscribes `mqttClient` to a fresh topic, publishes to it with QoS 1 and reads the message
# back, then releases the client.
#
# + mqttClient - A connected client
# + name - A name for the topic
# + return - An error if a step failed
function assertRoundTrip(Client mqttClient, string name) returns error? {
    string topic = uniqueTopic("round-trip/" + name);
    check mqttClient->subscribe(topic);
    stream<Message, error?> messages = check mqttClient->receive();
    _ = check mqttClient->publish(topic, {payload: name.toBytes()});
    Message received = check nextMessage(messages);
    test:assertEquals(check string:fromBytes(received.payload), name);
    release(mqttClient);
}
