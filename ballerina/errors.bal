// The error type of the MQTT package (contract §5).

# The error that every failing operation of this package returns. The message says what
# failed and, where useful, why (the broker's reason string, the file path, the TLS alert).
# ```ballerina
# mqtt:DeliveryToken|mqtt:Error result = 'client->publish("sensors/t1", {payload: "21.5".toBytes()});
# if result is mqtt:Error {
#     int? reasonCode = result.detail().reasonCode;
# }
# ```
public type Error distinct error<ErrorDetails>;

# The details of an `mqtt:Error`.
# ```ballerina
# mqtt:ErrorDetails details = err.detail();
# ```
#
# + reasonCode - The MQTT 5 reason code when the broker gave one (for example 134 for a bad
#                user name or password, 135 for not authorized), or one of the client-side
#                codes of the released module: 32000 timed out, 32100 client connected,
#                32101 client disconnected, 32103 unable to connect, 32104 client not
#                connected, 32109 connection lost, 32110 connect in progress, 32111 client
#                closed, 32202 too many publishes in progress
public type ErrorDetails record {|
    int reasonCode?;
|};
