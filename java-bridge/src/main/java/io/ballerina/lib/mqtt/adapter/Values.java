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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        if (m == null) {
            throw invalid("the message is missing");
        }
        BArray payload = array(m, "payload");
        if (payload == null) {
            throw invalid("the message has no payload");
        }
        Long qos = integer(m, "qos");
        Boolean retained = bool(m, "retained");
        return new Message(payload.getBytes(), qos == null ? 1 : toInt(qos, "QoS"), retained != null && retained,
                false, null, null, properties(map(m, "properties")));
    }

    static MessageProperties properties(BMap<?, ?> p) {
        if (p == null) {
            return null;
        }
        BArray correlation = array(p, "correlationData");
        List<UserProperty> userProperties = new ArrayList<>();
        BArray ups = array(p, "userProperties");
        if (ups != null) {
            for (long i = 0; i < ups.getLength(); i++) {
                if (!(ups.get(i) instanceof BMap<?, ?> up)) {
                    throw invalid("userProperties[" + i + "] must be a {key, value} record");
                }
                userProperties.add(new UserProperty(required(up, "key", "userProperties[" + i + "]"),
                        required(up, "value", "userProperties[" + i + "]")));
            }
        }
        return new MessageProperties(str(p, "responseTopic"), correlation == null ? null : correlation.getBytes(),
                userProperties, str(p, "contentType"), integer(p, "messageExpiryInterval"),
                bool(p, "payloadFormatIndicator"));
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
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("payload", ValueCreator.createArrayValue(m.payload()));
        fields.put("qos", (long) m.qos());
        fields.put("retained", m.retained());
        fields.put("duplicate", m.duplicate());
        if (m.messageId() != null) {
            fields.put("messageId", (long) m.messageId());
        }
        if (m.topic() != null) {
            fields.put("topic", StringUtils.fromString(m.topic()));
        }
        MessageProperties p = m.properties();
        if (p != null && !p.isEmpty()) {
            fields.put("properties", toBallerina(module, p));
        }
        return ValueCreator.createRecordValue(module, MESSAGE, fields);
    }

    private static BMap<BString, Object> toBallerina(Module module, MessageProperties p) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (p.responseTopic() != null) {
            fields.put("responseTopic", StringUtils.fromString(p.responseTopic()));
        }
        if (p.correlationData() != null) {
            fields.put("correlationData", ValueCreator.createArrayValue(p.correlationData()));
        }
        if (p.contentType() != null) {
            fields.put("contentType", StringUtils.fromString(p.contentType()));
        }
        if (p.messageExpiryInterval() != null) {
            fields.put("messageExpiryInterval", p.messageExpiryInterval());
        }
        if (p.payloadFormatIndicator() != null) {
            fields.put("payloadFormatIndicator", p.payloadFormatIndicator());
        }
        if (!p.userProperties().isEmpty()) {
            Object[] items = new Object[p.userProperties().size()];
            for (int i = 0; i < items.length; i++) {
                UserProperty up = p.userProperties().get(i);
                Map<String, Object> kv = new LinkedHashMap<>();
                kv.put("key", StringUtils.fromString(up.key()));
                kv.put("value", StringUtils.fromString(up.value()));
                items[i] = ValueCreator.createRecordValue(module, USER_PROPERTY, kv);
            }
            fields.put("userProperties", ValueCreator.createArrayValue(items,
                    TypeCreator.createArrayType(TypeUtils.getType(items[0]))));
        }
        return ValueCreator.createRecordValue(module, MESSAGE_PROPERTIES, fields);
    }

    static BMap<BString, Object> toBallerina(DeliveryToken token) {
        return toBallerina(token, StringUtils.fromString(token.topic()));
    }

    /** The token of a publish to {@code topic}, the caller's own string (no new one per publish). */
    static BMap<BString, Object> toBallerina(DeliveryToken token, BString topic) {
        Map<String, Object> fields = new LinkedHashMap<>(4);
        fields.put("messageId", (long) token.messageId());
        fields.put("topic", topic);
        return ValueCreator.createRecordValue(ModuleUtils.getModule(), DELIVERY_TOKEN, fields);
    }

    // ---- field access ----------------------------------------------------------------------------

    /** Field names as Ballerina strings, made once: a lookup per field per call would make one each time. */
    private static final ConcurrentHashMap<String, BString> KEYS = new ConcurrentHashMap<>();

    static BString key(String name) {
        return KEYS.computeIfAbsent(name, StringUtils::fromString);
    }

    private static String str(BMap<?, ?> m, String field) {
        Object v = m.get(key(field));
        return v == null ? null : asString(v, field);
    }

    private static String required(BMap<?, ?> m, String field, String where) {
        String v = str(m, field);
        if (v == null) {
            throw invalid(where + " has no " + field);
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
        Object v = m.get(key(field));
        if (v == null || v instanceof Long) {
            return (Long) v;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw invalid(field + " must be an int");
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
        Object v = m.get(key(field));
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw invalid(field + " must be a boolean");
    }

    private static BMap<?, ?> map(BMap<?, ?> m, String field) {
        Object v = m.get(key(field));
        if (v == null || v instanceof BMap<?, ?>) {
            return (BMap<?, ?>) v;
        }
        throw invalid(field + " must be a record");
    }

    private static BArray array(BMap<?, ?> m, String field) {
        Object v = m.get(key(field));
        if (v == null || v instanceof BArray) {
            return (BArray) v;
        }
        throw invalid(field + " must be an array");
    }

    private static MqttException invalid(String message) {
        return new MqttException(message);
    }
}
