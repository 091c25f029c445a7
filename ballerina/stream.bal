// The stream implementor behind `Client->receive` and `Client->receiveResponse`.

import ballerina/jballerina.java;

# Iterates over the messages buffered for a client's subscriptions. The Java bridge creates
# an instance per `receive` call (with no arguments, then attaches the native stream to it)
# and wraps it in a `stream<Message, error?>`; programs only see that stream.
isolated class MessageStream {

    # Waits for the next message of the stream. Whether the stream is closed is kept in one
    # place, the Java host's stream (rule R2): a `close` from another strand ends the wait.
    #
    # + return - The next message, `()` when the client was closed and the stream has ended,
    #            or an `mqtt:Error` if the stream is closed or receiving failed
    public isolated function next() returns record {|Message value;|}|Error? {
        Message? message = check self.externNext();
        if message is () {
            return ();
        }
        return {value: message};
    }

    # Closes the stream. Messages already buffered for the client stay available to other streams.
    #
    # + return - An `mqtt:Error` if the stream is already closed, else `()`
    public isolated function close() returns Error? {
        return self.externClose();
    }

    private isolated function externNext() returns Message|Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.StreamAdapter",
        name: "next"
    } external;

    private isolated function externClose() returns Error? =
    @java:Method {
        'class: "io.ballerina.lib.mqtt.adapter.StreamAdapter",
        name: "close"
    } external;
}
