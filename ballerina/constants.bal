// Constants of the MQTT package: the public default URL and quality-of-service levels, and
// the module-private values (error texts, client-side reason codes) that the sources and
// tests share.

# The URL of an MQTT broker on the local host at the default plain-TCP port (1883).
# ```ballerina
# mqtt:Client 'client = check new (mqtt:DEFAULT_URL, "publisher-1");
# ```
public const string DEFAULT_URL = "tcp://localhost:1883";

# Quality of service 0, at most once: the message is sent once and not acknowledged; it is
# lost if the connection fails. `publish` returns when it is written to the connection.
# ```ballerina
# _ = check 'client->publish("sensors/t1", {payload: "21.5".toBytes(), qos: mqtt:AT_MOST_ONCE});
# ```
public const int AT_MOST_ONCE = 0;

# Quality of service 1, at least once: the message is kept until the receiver acknowledges it
# (PUBACK) and sent again, flagged as a duplicate, after a reconnect, so it may arrive more
# than once. The default `qos` of `mqtt:Message` and
# `mqtt:Subscription`.
# ```ballerina
# _ = check 'client->publish("sensors/t1", {payload: "21.5".toBytes(), qos: mqtt:AT_LEAST_ONCE});
# ```
public const int AT_LEAST_ONCE = 1;

# Quality of service 2, exactly once: a four-step handshake (PUBREC, PUBREL, PUBCOMP) delivers
# the message once and only once. `publish` returns when PUBCOMP is received.
# ```ballerina
# check 'client->subscribe({topic: "orders/new", qos: mqtt:EXACTLY_ONCE});
# ```
public const int EXACTLY_ONCE = 2;

// Message of the error that every operation on a closed receive stream returns (rule R2).
const string STREAM_CLOSED_MESSAGE = "Stream is closed. Therefore, no operations are allowed further on the stream.";

// Message of the error that `Caller.respond` returns when the request had no response topic (rule L5).
const string RESPONSE_TOPIC_NOT_SET_MESSAGE = "Response topic is not set";

// Client-side reason codes carried in `ErrorDetails.reasonCode` (rule E2). They match the
// released module, so programs that test for them keep working; names and values are those of
// native/src/error.rs and MqttException (tools/check_reason_codes.py keeps them equal).

// Timed out waiting for the broker.
const int TIMEOUT = 32000;
// The client is (still) connected, e.g. `close` before `disconnect`.
const int CLIENT_CONNECTED = 32100;
// The client is disconnected.
const int CLIENT_DISCONNECTED = 32101;
// Unable to connect to the broker.
const int SERVER_CONNECT_ERROR = 32103;
// The client is not connected.
const int CLIENT_NOT_CONNECTED = 32104;
// The broker broke the MQTT protocol; the client closed the connection (rule P5).
const int PROTOCOL_VIOLATION = 32108;
// The connection was lost.
const int CONNECTION_LOST = 32109;
// A connect is already in progress.
const int CONNECT_IN_PROGRESS = 32110;
// The client is closed: every call after `close` fails with this code.
const int CLIENT_CLOSED = 32111;
// An argument or configuration value is invalid; nothing was sent (rule P5).
const int INVALID_ARGUMENT = 32120;
// Too many publishes are in progress.
const int MAX_INFLIGHT = 32202;
// The broker closed the connection each time this publish was sent: given up (rule C8).
const int PUBLISH_ABANDONED = 32205;
// The packet would exceed the MQTT maximum or the broker's Maximum Packet Size (rule P5).
const int PACKET_TOO_LARGE = 51002;
