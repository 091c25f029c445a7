package io.ballerina.lib.mqtt.engine;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte format between Java and the engine (docs/bridge.md, "Wire format"): big-endian;
 * {@code str}/{@code bytes} = int32 length (-1 = null) + bytes; {@code opt-bool} = int8
 * (-1 absent); {@code opt-int} = int64 (-1 absent).
 */
final class Wire {
    static final byte EVENT_COMPLETION = 1;
    static final byte EVENT_MESSAGE = 2;
    static final byte EVENT_CONNECTION = 3;
    static final byte EVENT_END = 4;
    static final byte EVENT_LOG = 5;

    static final int CONNECTION_LOST = 1;
    static final int CONNECTION_RECONNECTED = 2;
    static final int CONNECTION_SUBSCRIPTION_REFUSED = 3;
    static final int CONNECTION_CONNECTED = 4;
    static final int CONNECTION_RECONNECT_ATTEMPT = 5;
    static final int CONNECTION_SUBSCRIPTIONS_RESTORED = 6;
    static final int CONNECTION_DISCONNECTED = 7;

    private Wire() {
    }

    // ------------------------------------------------------------------ events (engine → Java)

    /** One event of a poll batch. */
    sealed interface Event permits Completion, Received, ConnectionEvent, End, Log {
    }

    /**
     * COMPLETION. ok: messageId (a publish's packet identifier; 0 for QoS 0 and other requests);
     * else reasonCode (-1 none) and message.
     */
    record Completion(long requestId, boolean ok, int messageId, int reasonCode, String message)
            implements Event {
        MqttException error() {
            return new MqttException(message == null ? "Unknown engine error" : message, reasonCode);
        }

        /** The delivery token of the publish to {@code topic} this completes (Java knows the topic). */
        DeliveryToken token(String topic) {
            return new DeliveryToken(messageId, topic);
        }
    }

    /** MESSAGE: a received message; ackSeq -1 = nothing to ack. */
    record Received(long handle, long ackEpoch, long ackSeq, Message message) implements Event {
    }

    /**
     * CONNECTION: kind 1 lost, 2 reconnected, 3 subscription refused, 4 connected, 5 reconnect attempt,
     * 6 subscriptions restored, 7 disconnected; reasonCode -1 = none; sessionPresent for 2 and 4, attempt
     * and delayMillis for 5.
     */
    record ConnectionEvent(long handle, int kind, int reasonCode, String message, boolean sessionPresent,
                           int attempt, long delayMillis) implements Event {
        ConnectionEvent(long handle, int kind, int reasonCode, String message) {
            this(handle, kind, reasonCode, message, false, 0, 0);
        }

        MqttException error() {
            return new MqttException(message == null ? "Connection event " + kind : message, reasonCode);
        }

        /** Lost or subscription refused: what a listener's onError hears of (L4). */
        boolean isError() {
            return kind == CONNECTION_LOST || kind == CONNECTION_SUBSCRIPTION_REFUSED;
        }
    }

    /** END: no more messages for this handle. */
    record End(long handle) implements Event {
    }

    /** LOG: a record of the engine's {@code log}: level 1 error ... 5 trace, its Rust module, its text. */
    record Log(int level, String target, String text) implements Event {
    }

    /** Decodes a poll batch. */
    static List<Event> decodeEvents(byte[] batch) {
        if (batch == null) {
            return List.of();
        }
        ByteBuffer in = ByteBuffer.wrap(batch);
        try {
            int count = in.getInt();
            if (count < 0) {
                throw malformed("negative event count " + count);
            }
            List<Event> events = new ArrayList<>(Math.min(count, 4096));
            for (int i = 0; i < count; i++) {
                byte type = in.get();
                switch (type) {
                    case EVENT_COMPLETION -> {
                        long requestId = in.getLong();
                        boolean ok = readFlag(in, "ok");
                        if (ok) {
                            int messageId = in.getInt();
                            events.add(new Completion(requestId, true, messageId, -1, null));
                        } else {
                            int reasonCode = in.getInt();
                            String message = readStr(in);
                            events.add(new Completion(requestId, false, 0, reasonCode, message));
                        }
                    }
                    case EVENT_MESSAGE -> {
                        long handle = in.getLong();
                        long ackEpoch = in.getLong();
                        long ackSeq = in.getLong();
                        String topic = readStr(in);
                        byte[] payload = readBytes(in);
                        int qos = in.get();
                        boolean retained = readFlag(in, "retained");
                        boolean duplicate = readFlag(in, "duplicate");
                        int messageId = in.getInt();
                        MessageProperties properties = readProperties(in);
                        Message message = new Message(payload == null ? new byte[0] : payload, qos, retained,
                                duplicate, messageId, topic, properties.isEmpty() ? null : properties);
                        events.add(new Received(handle, ackEpoch, ackSeq, message));
                    }
                    case EVENT_CONNECTION -> {
                        long handle = in.getLong();
                        int kind = in.get();
                        int reasonCode = in.getInt();
                        String message = readStr(in);
                        boolean sessionPresent = readFlag(in, "sessionPresent");
                        int attempt = in.getInt();
                        long delayMillis = in.getLong();
                        events.add(new ConnectionEvent(handle, kind, reasonCode, message, sessionPresent, attempt,
                                delayMillis));
                    }
                    case EVENT_END -> events.add(new End(in.getLong()));
                    case EVENT_LOG -> {
                        int level = in.get();
                        String target = readStr(in);
                        events.add(new Log(level, target, readStr(in)));
                    }
                    default -> throw malformed("unknown event type " + type + " at event " + i);
                }
            }
            if (in.hasRemaining()) {
                throw malformed(in.remaining() + " trailing bytes");
            }
            return events;
        } catch (BufferUnderflowException e) {
            throw malformed("truncated batch (" + batch.length + " bytes)");
        }
    }

    static MessageProperties readProperties(ByteBuffer in) {
        String responseTopic = readStr(in);
        byte[] correlationData = readBytes(in);
        String contentType = readStr(in);
        long expiry = in.getLong();
        byte pfi = in.get();
        int count = in.getInt();
        if (count < 0) {
            throw malformed("negative user property count " + count);
        }
        List<UserProperty> users = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            String key = readStr(in);
            String value = readStr(in);
            users.add(new UserProperty(key == null ? "" : key, value == null ? "" : value));
        }
        return new MessageProperties(responseTopic, correlationData, users, contentType,
                expiry < 0 ? null : expiry, pfi < 0 ? null : pfi != 0);
    }

    private static boolean readFlag(ByteBuffer in, String what) {
        byte b = in.get();
        if (b != 0 && b != 1) {
            throw malformed("flag " + what + " is " + b);
        }
        return b == 1;
    }

    static String readStr(ByteBuffer in) {
        byte[] bytes = readBytes(in);
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("string is not UTF-8");
        }
    }

    static byte[] readBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw malformed("length " + length + " with " + in.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static MqttException malformed(String why) {
        return new MqttException("Malformed event batch from the MQTT engine: " + why);
    }

    // ------------------------------------------------------------------ arguments (Java → engine)

    /** A big-endian writer over a growable buffer. */
    static final class Writer {
        private final ByteArrayOutputStream bytes;
        private final DataOutputStream out;

        Writer() {
            this(128);
        }

        /** {@code capacity}: the expected size, so a large payload is not copied while the buffer grows. */
        Writer(int capacity) {
            bytes = new ByteArrayOutputStream(capacity);
            out = new DataOutputStream(bytes);
        }

        Writer i8(int v) {
            try {
                out.writeByte(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer bool(boolean v) {
            return i8(v ? 1 : 0);
        }

        Writer optBool(Boolean v) {
            return i8(v == null ? -1 : (v ? 1 : 0));
        }

        Writer optInt(Number v) {
            return i64(v == null ? -1 : v.longValue());
        }

        Writer bytes(byte[] v) {
            if (v == null) {
                return i32(-1);
            }
            i32(v.length);
            try {
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer str(String v) {
            return str(v, "A string argument");
        }

        /** A string that must be well-formed UTF-16; {@code what} names it in the error otherwise. */
        Writer str(String v, String what) {
            return bytes(v == null ? null : wellFormed(v, what).getBytes(StandardCharsets.UTF_8));
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** An int that must fit the wire's int8 (qos, retain handling); the engine checks the range. */
    private static int small(int value, String what) {
        if (value < Byte.MIN_VALUE || value > Byte.MAX_VALUE) {
            throw MqttException.invalidArgument("Invalid " + what + " " + value + ": must be 0, 1 or 2");
        }
        return value;
    }

    /**
     * Rejects a string with an unpaired UTF-16 surrogate: Java would encode it as '?' and JNI as
     * CESU-8 bytes that are not UTF-8, so the topic (or id, filter, …) would silently change (P3, E1).
     * The value itself is not shown (it may be a password).
     *
     * @param what names the value in the error, e.g. "Topic"
     */
    static String wellFormed(String value, String what) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char ch = value.charAt(i);
            if (!Character.isSurrogate(ch)) {
                continue;
            }
            if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
                continue;
            }
            throw MqttException.invalidArgument(what + " contains an unpaired UTF-16 surrogate (U+"
                    + Integer.toHexString(ch).toUpperCase(java.util.Locale.ROOT) + " at index " + i
                    + ") and cannot be encoded as UTF-8");
        }
        return value;
    }

    private static Number nonNegative(Number value, String what) {
        if (value != null && value.longValue() < 0) {
            throw MqttException.invalidArgument("Invalid " + what + " " + value + ": must not be negative");
        }
        return value;
    }

    static void writeProperties(Writer w, MessageProperties p) {
        w.str(p.responseTopic(), "responseTopic")
                .bytes(p.correlationDataRef())
                .str(p.contentType(), "contentType")
                .optInt(nonNegative(p.messageExpiryInterval(), "messageExpiryInterval"))
                .optBool(p.payloadFormatIndicator());
        List<UserProperty> users = p.userProperties();
        w.i32(users.size());
        for (UserProperty u : users) {
            w.str(u.key(), "User property name").str(u.value(), "User property value");
        }
    }

    static void writeMessage(Writer w, Message m) {
        w.bytes(m.payloadRef()).i8(small(m.qos(), "QoS")).bool(m.retained());
        MessageProperties p = m.properties();
        if (p == null) {
            w.i8(0);
        } else {
            w.i8(1);
            writeProperties(w, p);
        }
    }

    /**
     * A publish as {@link Native#publish} takes it: the topic as UTF-8, the payload array itself (the engine
     * copies it during the call), and the properties encoded, or null for none.
     */
    record Outgoing(byte[] topicUtf8, byte[] payload, int qos, boolean retained, byte[] properties) {
    }

    /** {@code message} to {@code topicUtf8}: its own payload array (it is never changed) and its fields. */
    static Outgoing outgoing(byte[] topicUtf8, Message message) {
        MessageProperties p = message.properties();
        return new Outgoing(topicUtf8, message.payloadRef(), message.qos(), message.retained(),
                p == null ? null : encodeProperties(p));
    }

    /** {@code payload} at {@code qos} to {@code topicUtf8}, not retained, without properties. */
    static Outgoing outgoing(byte[] topicUtf8, byte[] payload, int qos) {
        return new Outgoing(topicUtf8, payload, qos, false, null);
    }

    /** The {@code properties} argument of publish. */
    static byte[] encodeProperties(MessageProperties p) {
        Writer w = new Writer();
        writeProperties(w, p);
        return w.toByteArray();
    }

    /** The {@code subscriptions} argument of connect/subscribe. */
    static byte[] encodeSubscriptions(List<Subscription> subscriptions) {
        Writer w = new Writer();
        w.i32(subscriptions.size());
        for (Subscription s : subscriptions) {
            if (s == null) {
                throw MqttException.invalidArgument("A subscription is null");
            }
            w.str(s.topic(), "Topic filter").i8(small(s.qos(), "QoS")).bool(s.noLocal()).bool(s.retainAsPublished())
                    .i8(small(s.retainHandling(), "retain handling"));
        }
        return w.toByteArray();
    }

    /** The {@code options} argument of connect. */
    static byte[] encodeOptions(String serverUri, String clientId, ConnectionConfig c, WillDetails will) {
        if (c == null) {
            c = ConnectionConfig.defaults();
        }
        Writer w = new Writer();
        List<String> uris = c.serverUris() != null && !c.serverUris().isEmpty()
                ? c.serverUris() : java.util.Collections.singletonList(serverUri);
        w.i32(uris.size());
        for (String uri : uris) {
            if (uri == null) {
                throw MqttException.invalidArgument("Server URI must not be null");
            }
            w.str(uri, "Server URI");
        }
        w.str(clientId, "Client id").str(c.username(), "Username").str(c.password(), "Password")
                .optInt(nonNegative(c.keepAliveInterval(), "keepAliveInterval"))
                .optInt(nonNegative(c.connectionTimeout(), "connectionTimeout"))
                .optBool(c.cleanStart())
                .optBool(c.automaticReconnect())
                .optInt(nonNegative(c.maxReconnectDelay(), "maxReconnectDelay"))
                .optInt(nonNegative(c.sessionExpiryInterval(), "sessionExpiryInterval"));
        SecureSocket s = c.secureSocket();
        boolean tlsUri = uris.stream().anyMatch(DefaultTrust::isTls);
        if (s == null && !tlsUri) {
            w.i8(0);
        } else {
            w.i8(1);
            TrustStore ts = s == null ? null : s.trustStore();
            CertKey ck = s == null ? null : s.key();
            KeyStore ks = s == null ? null : s.keyStore();
            w.str(s == null ? null : s.cert(), "cert")
                    .str(ts == null ? null : ts.path(), "TrustStore path")
                    .str(ts == null ? null : ts.password(), "TrustStore password")
                    .str(ck == null ? null : ck.certFile(), "certFile").str(ck == null ? null : ck.keyFile(), "keyFile")
                    .str(ck == null ? null : ck.keyPassword(), "keyPassword")
                    .str(ks == null ? null : ks.path(), "KeyStore path")
                    .str(ks == null ? null : ks.password(), "KeyStore password")
                    .str(s == null ? null : s.protocolName(), "protocol name")
                    .str(s == null ? null : s.protocolVersion(), "protocol version");
            if (s != null && (s.cert() != null || ts != null)) {
                w.i32(-1);
            } else {
                // T6: no cert: trust what the JVM trusts by default, never the engine's OS roots.
                List<byte[]> roots = DefaultTrust.certificates();
                w.i32(roots.size());
                for (byte[] der : roots) {
                    w.bytes(der);
                }
            }
        }
        if (will == null) {
            w.i8(0);
        } else {
            w.i8(1);
            w.str(will.destinationTopic(), "Will topic");
            writeMessage(w, will.willMessage());
        }
        return w.toByteArray();
    }
}
