package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageStream;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.values.BObject;

/** The externals of the module-private {@code MessageStream} class (stream.bal). */
public final class StreamAdapter {
    private StreamAdapter() {
    }

    /**
     * Waits (in Java, inside {@code yieldAndRun}) for the next message: a {@code Message} record,
     * {@code ()} once the client is closed and every buffered message was handed out, or an Error.
     */
    public static Object next(Environment env, BObject self) {
        MessageStream stream = stream(self);
        if (stream == null) {
            return Errors.error(MessageStream.STREAM_CLOSED);
        }
        return Errors.blocking(env, () -> {
            try {
                return stream.next();
            } catch (MqttException e) {
                if (e.reasonCode().orElse(-1) == MqttException.CLIENT_CLOSED) {
                    return End.END;
                }
                throw e;
            }
        }, r -> r == End.END ? null : Values.toBallerina((Message) r));
    }

    /** Releases the native stream; messages buffered for the client stay for other streams. */
    public static Object close(Environment env, BObject self) {
        MessageStream stream = stream(self);
        if (stream == null) {
            return Errors.error(MessageStream.STREAM_CLOSED);
        }
        return Errors.call(() -> {
            stream.close();
            return null;
        }, Errors::nil);
    }

    private static MessageStream stream(BObject self) {
        return self.getNativeData(ClientAdapter.STREAM) instanceof MessageStream s ? s : null;
    }

    private enum End { END }
}
