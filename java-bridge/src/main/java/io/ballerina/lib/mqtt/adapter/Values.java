package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.CertKey;
import io.ballerina.lib.mqtt.engine.ClientConfig;
import io.ballerina.lib.mqtt.engine.ConnectionConfig;
import io.ballerina.lib.mqtt.engine.DeliveryToken;
import io.ballerina.lib.mqtt.engine.KeyStore;
import io.ballerina.lib.mqtt.engine.ListenerConfig;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageProperties;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.lib.mqtt.engine.SecureSocket;
import io.ballerina.lib.mqtt.engine.Subscription;
import io.ballerina.lib.mqtt.engine.TrustStore;
import io.ballerina.lib.mqtt.engine.UserProperty;
import io.ballerina.lib.mqtt.engine.WillDetails;
import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.creators.TypeCreator;
import io.ballerina.runtime.api.creators.ValueCreator;
import io.ballerina.runtime.api.utils.StringUtils;
import io.ballerina.runtime.api.utils.TypeUtils;
import io.ballerina.runtime.api.values.BArray;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BString;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place where Ballerina values (records as {@code BMap}, {@code BString}, {@code BArray})
 * become host-API records and back. Field names and units are those of types.bal (ADAPTERS.md).
 * A value of the wrong shape gives an {@link MqttException} naming the field, which the adapters
 * turn into an {@code mqtt:Error}.
 */
final class Values {
    static final String MESSAGE = "Message";
    static final String MESSAGE_PROPERTIES = "MessageProperties";
    static final String USER_PROPERTY = "UserProperty";
    static final String DELIVERY_TOKEN = "DeliveryToken";

    private Values() {
    }

    // ---- Ballerina → host API ------------------------------------------------------------------

    /**
     * The Ballerina calls wait as 1.4.1's did: without a limit of the Java side (the engine's own limits, such
     * as connectionTimeout and the disconnect wait, still apply); the host API's 60 s default is for Java users.
     */
    static final Duration BALLERINA_WAIT = Duration.ZERO;

    static String string(BString s) {
        return s == null ? null : s.getValue();
    }

    static ClientConfig clientConfig(BMap<?, ?> config) {
        if (config == null) {
            return ClientConfig.defaults().withRequestTimeout(BALLERINA_WAIT);
        }
        BMap<?, ?> will = map(config, "willDetails");
        WillDetails willDetails = null;
        if (will != null) {
            BMap<?, ?> willMessage = map(will, "willMessage");
            String topic = str(will, "destinationTopic");
            if (willMessage == null || topic == null) {
                throw invalid("willDetails needs willMessage and destinationTopic");
            }
            willDetails = new WillDetails(message(willMessage), topic);
        }
        return new ClientConfig(connectionConfig(map(config, "connectionConfig")), willDetails, BALLERINA_WAIT);
    }

    static ListenerConfig listenerConfig(BMap<?, ?> config) {
        if (config == null) {
            return ListenerConfig.defaults().withRequestTimeout(BALLERINA_WAIT);
        }
        Boolean manualAcks = bool(config, "manualAcks");
        return new ListenerConfig(connectionConfig(map(config, "connectionConfig")),
                manualAcks != null && manualAcks, BALLERINA_WAIT);
    }

    static ConnectionConfig connectionConfig(BMap<?, ?> c) {
        if (c == null) {
            return null;
        }
        ConnectionConfig.Builder b = ConnectionConfig.builder()
                .username(str(c, "username"))
                .password(str(c, "password"))
                .secureSocket(secureSocket(map(c, "secureSocket")))
                .maxReconnectDelay(integer(c, "maxReconnectDelay"))
                .keepAliveInterval(int32(c, "keepAliveInterval"))
                .connectionTimeout(int32(c, "connectionTimeout"))
                .cleanStart(bool(c, "cleanStart"))
                .automaticReconnect(bool(c, "automaticReconnect"))
                .sessionExpiryInterval(integer(c, "sessionExpiryInterval"));
        BArray uris = array(c, "serverUris");
        if (uris != null) {
            List<String> list = new ArrayList<>();
            for (long i = 0; i < uris.getLength(); i++) {
                list.add(asString(uris.get(i), "serverUris[" + i + "]"));
            }
            b.serverUris(list);
        }
        return b.build();
    }

    /**
     * {@code cert}: a PEM path (BString) or a {@code crypto:TrustStore} map; {@code key}: a
     * {@code crypto:KeyStore} map (has {@code path}) or a {@code CertKey} map; {@code protocol}:
     * {@code {name, version}}.
     */
    static SecureSocket secureSocket(BMap<?, ?> s) {
        if (s == null) {
            return null;
        }
        String cert = null;
        TrustStore trustStore = null;
        Object certValue = s.get(key("cert"));
        if (certValue instanceof BString path) {
            cert = path.getValue();
        } else if (certValue instanceof BMap<?, ?> store) {
            trustStore = new TrustStore(required(store, "path", "secureSocket.cert"), str(store, "password"));
        } else if (certValue != null) {
            throw invalid("secureSocket.cert must be a PEM file path or a crypto:TrustStore");
        }
        CertKey certKey = null;
        KeyStore keyStore = null;
        Object keyValue = s.get(key("key"));
        if (keyValue instanceof BMap<?, ?> k) {
            if (k.containsKey(key("path"))) {
                keyStore = new KeyStore(required(k, "path", "secureSocket.key"), str(k, "password"));
            } else {
                certKey = new CertKey(required(k, "certFile", "secureSocket.key"),
                        required(k, "keyFile", "secureSocket.key"), str(k, "keyPassword"));
            }
        } else if (keyValue != null) {
            throw invalid("secureSocket.key must be a mqtt:CertKey or a crypto:KeyStore");
        }
        String protocolName = null;
        String protocolVersion = null;
        BMap<?, ?> protocol = map(s, "protocol");
        if (protocol != null) {
            protocolName = str(protocol, "name");
            protocolVersion = str(protocol, "version");
        }
        return new SecureSocket(cert, trustStore, certKey, keyStore, protocolName, protocolVersion);
    }

    /** A {@code Message} to publish (topic, messageId and duplicate of the record are ignored). */
    static Message message(BMap<?, ?> m) {
        return outgoing(m).message();
    }

    /**
     * What a {@code Message} record publishes, read once: its payload (the copy {@code getBytes} makes),
     * QoS, RETAIN and properties.
     */
    record Outgoing(byte[] payload, int qos, boolean retained, MessageProperties properties) {
        /** Neither RETAIN nor properties: {@code MqttClient.publish(String, byte[], int)} says it all. */
        boolean plain() {
            return !retained && properties == null;
        }

        Message message() {
            return new Message(payload, qos, retained, false, null, null, properties);
        }
    }

    static Outgoing outgoing(BMap<?, ?> m) {
        if (m == null) {
            throw invalid("the message is missing");
        }
        BArray payload = array(m, Fields.PAYLOAD);
        if (payload == null) {
            throw invalid("the message has no payload");
        }
        Long qos = integer(m, Fields.QOS);
        Boolean retained = bool(m, Fields.RETAINED);
        return new Outgoing(payload.getBytes(), qos == null ? 1 : toInt(qos, "QoS"), retained != null && retained,
                properties(map(m, Fields.PROPERTIES)));
    }

    static MessageProperties properties(BMap<?, ?> p) {
        if (p == null) {
            return null;
        }
        BArray correlation = array(p, Fields.CORRELATION_DATA);
        List<UserProperty> userProperties = new ArrayList<>();
        BArray ups = array(p, Fields.USER_PROPERTIES);
        if (ups != null) {
            for (long i = 0; i < ups.getLength(); i++) {
                if (!(ups.get(i) instanceof BMap<?, ?> up)) {
                    throw invalid("userProperties[" + i + "] must be a {key, value} record");
                }
                userProperties.add(new UserProperty(required(up, Fields.KEY, "userProperties[" + i + "]"),
                        required(up, Fields.VALUE, "userProperties[" + i + "]")));
            }
        }
        return new MessageProperties(str(p, Fields.RESPONSE_TOPIC), correlation == null ? null : correlation.getBytes(),
                userProperties, str(p, Fields.CONTENT_TYPE), integer(p, Fields.MESSAGE_EXPIRY_INTERVAL),
                bool(p, Fields.PAYLOAD_FORMAT_INDICATOR));
    }

    /**
     * The subscriptions argument: normally the {@code Subscription[]} that the .bal code normalized,
     * but every shape of {@code string|string[]|Subscription|Subscription[]} is accepted.
     */
    static List<Subscription> subscriptions(Object value) {
        List<Subscription> out = new ArrayList<>();
        if (value instanceof BString topic) {
            out.add(Subscription.of(topic.getValue()));
        } else if (value instanceof BMap<?, ?> one) {
            out.add(subscription(one, "subscription"));
        } else if (value instanceof BArray list) {
            for (long i = 0; i < list.getLength(); i++) {
                Object item = list.get(i);
                if (item instanceof BString topic) {
                    out.add(Subscription.of(topic.getValue()));
                } else if (item instanceof BMap<?, ?> s) {
                    out.add(subscription(s, "subscriptions[" + i + "]"));
                } else {
                    throw invalid("subscriptions[" + i + "] must be a topic or a mqtt:Subscription");
                }
            }
        } else {
            throw invalid("subscriptions must be a topic, a mqtt:Subscription or a list of them");
        }
        return out;
    }

    private static Subscription subscription(BMap<?, ?> s, String where) {
        Long qos = integer(s, "qos");
        Boolean noLocal = bool(s, "noLocal");
        Boolean rap = bool(s, "retainAsPublished");
        Long rh = integer(s, "retainHandling");
        return new Subscription(required(s, "topic", where), qos == null ? 1 : toInt(qos, "QoS"),
                noLocal != null && noLocal, rap != null && rap, rh == null ? 0 : toInt(rh, "retainHandling"));
    }

    // ---- host API → Ballerina ------------------------------------------------------------------

    /** A received message as a {@code Message} record (with topic, messageId, duplicate). */
    static BMap<BString, Object> toBallerina(Message m) {
        Module module = ModuleUtils.getModule();
        BMap<BString, Object> r = ValueCreator.createRecordValue(module, MESSAGE);
        r.populateInitialValue(Fields.PAYLOAD, ValueCreator.createArrayValue(m.payload()));
        r.populateInitialValue(Fields.QOS, (long) m.qos());
        r.populateInitialValue(Fields.RETAINED, m.retained());
        r.populateInitialValue(Fields.DUPLICATE, m.duplicate());
        if (m.messageId() != null) {
            r.populateInitialValue(Fields.MESSAGE_ID, (long) m.messageId());
        }
        if (m.topic() != null) {
            r.populateInitialValue(Fields.TOPIC, StringUtils.fromString(m.topic()));
        }
        MessageProperties p = m.properties();
        if (p != null && !p.isEmpty()) {
            r.populateInitialValue(Fields.PROPERTIES, toBallerina(module, p));
        }
        return r;
    }

    private static BMap<BString, Object> toBallerina(Module module, MessageProperties p) {
        BMap<BString, Object> r = ValueCreator.createRecordValue(module, MESSAGE_PROPERTIES);
        if (p.responseTopic() != null) {
            r.populateInitialValue(Fields.RESPONSE_TOPIC, StringUtils.fromString(p.responseTopic()));
        }
        if (p.correlationData() != null) {
            r.populateInitialValue(Fields.CORRELATION_DATA, ValueCreator.createArrayValue(p.correlationData()));
        }
        if (p.contentType() != null) {
            r.populateInitialValue(Fields.CONTENT_TYPE, StringUtils.fromString(p.contentType()));
        }
        if (p.messageExpiryInterval() != null) {
            r.populateInitialValue(Fields.MESSAGE_EXPIRY_INTERVAL, p.messageExpiryInterval());
        }
        if (p.payloadFormatIndicator() != null) {
            r.populateInitialValue(Fields.PAYLOAD_FORMAT_INDICATOR, p.payloadFormatIndicator());
        }
        if (!p.userProperties().isEmpty()) {
            Object[] items = new Object[p.userProperties().size()];
            for (int i = 0; i < items.length; i++) {
                UserProperty up = p.userProperties().get(i);
                BMap<BString, Object> kv = ValueCreator.createRecordValue(module, USER_PROPERTY);
                kv.populateInitialValue(Fields.KEY, StringUtils.fromString(up.key()));
                kv.populateInitialValue(Fields.VALUE, StringUtils.fromString(up.value()));
                items[i] = kv;
            }
            r.populateInitialValue(Fields.USER_PROPERTIES, ValueCreator.createArrayValue(items,
                    TypeCreator.createArrayType(TypeUtils.getType(items[0]))));
        }
        return r;
    }

    static BMap<BString, Object> toBallerina(DeliveryToken token) {
        return toBallerina(token, StringUtils.fromString(token.topic()));
    }

    /** The token of a publish to {@code topic}, the caller's own string (no new one per publish). */
    static BMap<BString, Object> toBallerina(DeliveryToken token, BString topic) {
        BMap<BString, Object> r = ValueCreator.createRecordValue(ModuleUtils.getModule(), DELIVERY_TOKEN);
        r.populateInitialValue(Fields.MESSAGE_ID, (long) token.messageId());
        r.populateInitialValue(Fields.TOPIC, topic);
        return r;
    }

    // ---- field access ----------------------------------------------------------------------------

    /**
     * The fields of the records converted once per message, as Ballerina strings made once: a
     * record built from a {@code Map<String, Object>} makes a new one per field, and so would a
     * lookup by name. A holder class, so that they are made at first use, inside a runtime.
     */
    private static final class Fields {
        static final BString PAYLOAD = StringUtils.fromString("payload");
        static final BString QOS = StringUtils.fromString("qos");
        static final BString RETAINED = StringUtils.fromString("retained");
        static final BString DUPLICATE = StringUtils.fromString("duplicate");
        static final BString MESSAGE_ID = StringUtils.fromString("messageId");
        static final BString TOPIC = StringUtils.fromString("topic");
        static final BString PROPERTIES = StringUtils.fromString("properties");
        static final BString RESPONSE_TOPIC = StringUtils.fromString("responseTopic");
        static final BString CORRELATION_DATA = StringUtils.fromString("correlationData");
        static final BString CONTENT_TYPE = StringUtils.fromString("contentType");
        static final BString MESSAGE_EXPIRY_INTERVAL = StringUtils.fromString("messageExpiryInterval");
        static final BString PAYLOAD_FORMAT_INDICATOR = StringUtils.fromString("payloadFormatIndicator");
        static final BString USER_PROPERTIES = StringUtils.fromString("userProperties");
        static final BString KEY = StringUtils.fromString("key");
        static final BString VALUE = StringUtils.fromString("value");

        private Fields() {
        }
    }

    /** The other fields (configuration, read once per connect), each name made a Ballerina string once. */
    private static final ConcurrentHashMap<String, BString> KEYS = new ConcurrentHashMap<>();

    static BString key(String name) {
        return KEYS.computeIfAbsent(name, StringUtils::fromString);
    }

    private static String str(BMap<?, ?> m, String field) {
        return str(m, key(field));
    }

    private static String str(BMap<?, ?> m, BString field) {
        Object v = m.get(field);
        return v == null ? null : asString(v, field.getValue());
    }

    private static String required(BMap<?, ?> m, String field, String where) {
        return required(m, key(field), where);
    }

    private static String required(BMap<?, ?> m, BString field, String where) {
        String v = str(m, field);
        if (v == null) {
            throw invalid(where + " has no " + field.getValue());
        }
        return v;
    }

    private static String asString(Object v, String field) {
        if (v instanceof BString s) {
            return s.getValue();
        }
        throw invalid(field + " must be a string");
    }

    private static Long integer(BMap<?, ?> m, String field) {
        return integer(m, key(field));
    }

    private static Long integer(BMap<?, ?> m, BString field) {
        Object v = m.get(field);
        if (v == null || v instanceof Long) {
            return (Long) v;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw invalid(field.getValue() + " must be an int");
    }

    private static Integer int32(BMap<?, ?> m, String field) {
        Long v = integer(m, field);
        return v == null ? null : toInt(v, field);
    }

    private static int toInt(long v, String what) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw invalid("Invalid " + what + " " + v + ": out of range");
        }
        return (int) v;
    }

    private static Boolean bool(BMap<?, ?> m, String field) {
        return bool(m, key(field));
    }

    private static Boolean bool(BMap<?, ?> m, BString field) {
        Object v = m.get(field);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw invalid(field.getValue() + " must be a boolean");
    }

    private static BMap<?, ?> map(BMap<?, ?> m, String field) {
        return map(m, key(field));
    }

    private static BMap<?, ?> map(BMap<?, ?> m, BString field) {
        Object v = m.get(field);
        if (v == null || v instanceof BMap<?, ?>) {
            return (BMap<?, ?>) v;
        }
        throw invalid(field.getValue() + " must be a record");
    }

    private static BArray array(BMap<?, ?> m, String field) {
        return array(m, key(field));
    }

    private static BArray array(BMap<?, ?> m, BString field) {
        Object v = m.get(field);
        if (v == null || v instanceof BArray) {
            return (BArray) v;
        }
        throw invalid(field.getValue() + " must be an array");
    }

    private static MqttException invalid(String message) {
        return new MqttException(message);
    }
}
