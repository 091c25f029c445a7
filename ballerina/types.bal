// The records, enums and service type of the MQTT package (docs/spec/spec.md §2, §4.2; contract §2 and §7).

import ballerina/crypto;

# An MQTT message: the application payload and its delivery metadata. The same record is
# published by `Client->publish` and `Caller->respond`, and received by `onMessage` and by
# the stream of `Client->receive`.
# ```ballerina
# mqtt:Message message = {
#     payload: "21.5".toBytes(),
#     qos: 2,
#     retained: true,
#     properties: {responseTopic: "sensors/t1/ack", correlationData: "req-7".toBytes()}
# };
# ```
#
# + payload - The application payload, as bytes
# + qos - The quality of service: `mqtt:AT_MOST_ONCE` (0), `mqtt:AT_LEAST_ONCE` (1) or
#         `mqtt:EXACTLY_ONCE` (2)
# + retained - Whether the broker keeps this message as the retained message of its topic
#              (set by the publisher; on a received message, whether it came from the
#              broker's retained store)
# + duplicate - Whether this message may be a redelivery of an earlier one (DUP flag); set
#               only on received messages
# + messageId - The MQTT packet identifier; set only on received messages (0 for QoS 0)
# + topic - The topic the message was published to; set only on received messages
# + properties - The MQTT 5 properties of the message
public type Message record {|
    byte[] payload;
    int qos = 1;
    boolean retained = false;
    boolean duplicate = false;
    int messageId?;
    string topic?;
    MessageProperties properties?;
|};

# The MQTT 5 properties of a message.
# ```ballerina
# mqtt:MessageProperties properties = {
#     responseTopic: "replies/7",
#     correlationData: "req-7".toBytes(),
#     contentType: "application/json",
#     messageExpiryInterval: 60,
#     userProperties: [{key: "tenant", value: "acme"}]
# };
# ```
#
# + responseTopic - The topic that a responder publishes its response to (request/response)
# + correlationData - Bytes that tie a response to its request; `Caller->respond` copies them
# + contentType - The MIME type of the payload, such as `application/json`
# + messageExpiryInterval - The lifetime of the message in the broker, in seconds; absent means
#                           the message does not expire
# + payloadFormatIndicator - `true` when the payload is UTF-8 text, `false` (or absent) when it
#                            is unspecified bytes
# + userProperties - Application-defined name/value pairs, in order; a name may repeat, as
#                    MQTT 5 allows
public type MessageProperties record {|
    string responseTopic?;
    byte[] correlationData?;
    string contentType?;
    int messageExpiryInterval?;
    boolean payloadFormatIndicator?;
    UserProperty[] userProperties?;
|};

# One MQTT 5 user property: an application-defined name/value pair of a message.
# ```ballerina
# mqtt:UserProperty tenant = {key: "tenant", value: "acme"};
# ```
#
# + key - The name of the property
# + value - The value of the property
public type UserProperty record {|
    string key;
    string value;
|};

# The proof that a published message was delivered as its QoS promises: written to the
# connection (QoS 0), acknowledged by PUBACK (QoS 1) or completed by PUBCOMP (QoS 2).
# ```ballerina
# mqtt:DeliveryToken token = check 'client->publish("sensors/t1", {payload: "21.5".toBytes()});
# ```
#
# + messageId - The MQTT packet identifier of the published message (0 for QoS 0)
# + topic - The topic the message was published to
public type DeliveryToken record {|
    int messageId;
    string topic;
|};

# A topic filter to subscribe to and the maximum QoS to receive its messages with.
# ```ballerina
# mqtt:Subscription subscription = {topic: "sensors/+/temperature", qos: 2, noLocal: true};
# ```
#
# + topic - The topic filter; may contain the wildcards `+` and `#`, and may be a shared
#           subscription `$share/<group>/<filter>`
# + qos - The maximum quality of service to receive messages with: `mqtt:AT_MOST_ONCE` (0),
#         `mqtt:AT_LEAST_ONCE` (1) or `mqtt:EXACTLY_ONCE` (2)
# + noLocal - When `true`, the broker does not send back messages this connection published
# + retainAsPublished - When `true`, forwarded messages keep the RETAIN flag they were published with
# + retainHandling - When the broker sends retained messages: 0 at every subscribe, 1 only
#                    when the subscription is new, 2 never
public type Subscription record {|
    string topic;
    int qos = 1;
    boolean noLocal?;
    boolean retainAsPublished?;
    int retainHandling?;
|};

# The configuration of an `mqtt:Client`, given as named arguments of `new`.
# ```ballerina
# mqtt:Client 'client = check new (mqtt:DEFAULT_URL, "publisher-1",
#     connectionConfig = {username: "alice", password: "secret"},
#     willDetails = {destinationTopic: "status/publisher-1", willMessage: {payload: "gone".toBytes()}});
# ```
#
# + connectionConfig - How to connect to the broker
# + willDetails - The message that the broker publishes when the client vanishes without
#                 a DISCONNECT
public type ClientConfiguration record {|
    ConnectionConfiguration connectionConfig?;
    WillDetails willDetails?;
|};

# The last-will message of a client: published by the broker when the client's connection
# ends without a DISCONNECT.
# ```ballerina
# mqtt:WillDetails will = {destinationTopic: "status/publisher-1", willMessage: {payload: "offline".toBytes(), retained: true}};
# ```
#
# + willMessage - The message to publish; its `qos`, `retained` and `properties` apply
# + destinationTopic - The topic to publish the will message to
public type WillDetails record {|
    Message willMessage;
    string destinationTopic;
|};

# The configuration of an `mqtt:Listener`, given as named arguments of `new`.
# ```ballerina
# listener mqtt:Listener orders = new (mqtt:DEFAULT_URL, "orders-listener", "orders/#", manualAcks = true);
# ```
#
# + connectionConfig - How to connect to the broker
# + manualAcks - When `false`, a message is acknowledged after `onMessage` returns; when `true`,
#                only when the service calls `caller->complete()`
public type ListenerConfiguration record {|
    ConnectionConfiguration connectionConfig?;
    boolean manualAcks = false;
|};

# How an `mqtt:Client` or `mqtt:Listener` connects to the broker. Every field is optional;
# an absent field takes the default written next to it.
# ```ballerina
# mqtt:ConnectionConfiguration connection = {
#     username: "alice",
#     password: "secret",
#     keepAliveInterval: 30,
#     connectionTimeout: 10,
#     automaticReconnect: true,
#     maxReconnectDelay: 30000
# };
# ```
#
# + username - The user name to authenticate with
# + password - The password to authenticate with
# + secureSocket - The TLS configuration; needed for `ssl://` and `wss://` brokers
# + maxReconnectDelay - The upper bound of the delay between two automatic reconnect attempts,
#                       in milliseconds (default 128000)
# + keepAliveInterval - The longest time without traffic before a PINGREQ is sent, in seconds
#                       (default 60; 0 disables keep-alive)
# + connectionTimeout - How long to wait for the connection to be established, in seconds
#                       (default 30; 0 waits without limit)
# + cleanStart - Whether to start a new session instead of resuming the broker's stored one
#                (default `true`)
# + serverUris - Broker URIs that replace the `serverUri` argument, tried in order at connect
#                and at every reconnect
# + automaticReconnect - Whether a lost connection is re-established automatically, with
#                        exponential backoff from 1 second up to `maxReconnectDelay` (default `false`)
# + sessionExpiryInterval - How long the broker keeps the session after the connection ends,
#                           in seconds (default 0: the session ends with the connection)
public type ConnectionConfiguration record {|
    string username?;
    string password?;
    SecureSocket secureSocket?;
    int maxReconnectDelay?;
    int keepAliveInterval?;
    int connectionTimeout?;
    boolean cleanStart?;
    string[] serverUris?;
    boolean automaticReconnect?;
    int sessionExpiryInterval?;
|};

# The TLS configuration of a connection. The server's certificate chain and host name are
# always verified.
# ```ballerina
# mqtt:SecureSocket secureSocket = {
#     cert: "/etc/mqtt/ca.pem",
#     key: {certFile: "/etc/mqtt/client.pem", keyFile: "/etc/mqtt/client.key"},
#     protocol: {name: mqtt:TLS, version: "1.3"}
# };
# ```
#
# + cert - The certificates to trust: the path of a PEM file with one or more CA (or pinned
#          server) certificates, or a PKCS#12 `crypto:TrustStore`; absent, what the JVM trusts by
#          default (its CA certificates, or the store named by `javax.net.ssl.trustStore`)
# + key - The client's own certificate and private key, for mutual TLS: PEM files as a
#         `CertKey`, or a PKCS#12 `crypto:KeyStore`
# + protocol - Pins the TLS version (`"1.2"` or `"1.3"`); absent allows both
public type SecureSocket record {|
    crypto:TrustStore|string cert?;
    crypto:KeyStore|CertKey key?;
    record {|
        Protocol name;
        string version;
    |} protocol?;
|};

# A client certificate chain and its private key, as PEM files.
# ```ballerina
# mqtt:CertKey certKey = {certFile: "/etc/mqtt/client.pem", keyFile: "/etc/mqtt/client.key", keyPassword: "changeit"};
# ```
#
# + certFile - The path of the PEM certificate chain of the client
# + keyFile - The path of the PEM private key (PKCS#1, PKCS#8 or SEC1)
# + keyPassword - The password of the private key, when it is encrypted
public type CertKey record {|
    string certFile;
    string keyFile;
    string keyPassword?;
|};

# The secure-transport protocol named in `SecureSocket.protocol`.
# ```ballerina
# mqtt:SecureSocket secureSocket = {cert: "/etc/mqtt/ca.pem", protocol: {name: mqtt:TLS, version: "1.2"}};
# ```
public enum Protocol {
    # Secure Sockets Layer: obsolete and refused with an `mqtt:Error`; present for compatibility
    SSL,
    # Transport Layer Security, versions 1.2 and 1.3
    TLS
}

# The type of the services that an `mqtt:Listener` dispatches messages to. A service has
# `remote function onMessage(mqtt:Message message)` or
# `remote function onMessage(mqtt:Message message, mqtt:Caller caller)`, and optionally
# `remote function onError(mqtt:Error err)` and `remote function onComplete(mqtt:DeliveryToken token)`.
# ```ballerina
# service on orders {
#     remote function onMessage(mqtt:Message message) returns error? {
#         io:println(check string:fromBytes(message.payload));
#     }
# }
# ```
public type Service distinct service object {};
