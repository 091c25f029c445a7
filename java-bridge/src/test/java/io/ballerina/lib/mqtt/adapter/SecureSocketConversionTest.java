package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.CertKey;
import io.ballerina.lib.mqtt.engine.ConnectionConfig;
import io.ballerina.lib.mqtt.engine.KeyStore;
import io.ballerina.lib.mqtt.engine.ListenerConfig;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.lib.mqtt.engine.SecureSocket;
import io.ballerina.lib.mqtt.engine.TrustStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ballerina.lib.mqtt.adapter.Bal.list;
import static io.ballerina.lib.mqtt.adapter.Bal.rec;
import static io.ballerina.lib.mqtt.adapter.Bal.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SecureSocket and ConnectionConfiguration conversion for each shape of the Ballerina unions (T1–T3). */
class SecureSocketConversionTest {
    @BeforeAll
    static void setUp() {
        Bal.setUp();
    }

    private static SecureSocket convert(Object... kv) {
        return Values.secureSocket(rec("SecureSocket", kv));
    }

    @Test
    void certAsPemPath() {
        assertEquals(new SecureSocket("/etc/ca.pem", null, null, null, null, null), convert("cert", "/etc/ca.pem"));
    }

    @Test
    void certAsTrustStore() {
        SecureSocket s = convert("cert", rec("TrustStore", "path", "/t.p12", "password", "pw"));
        assertEquals(new TrustStore("/t.p12", "pw"), s.trustStore());
        assertNull(s.cert());
    }

    @Test
    void keyAsCertKeyWithAndWithoutPassword() {
        assertEquals(new CertKey("/c.pem", "/k.pem", null),
                convert("key", rec("CertKey", "certFile", "/c.pem", "keyFile", "/k.pem")).key());
        SecureSocket s = convert("cert", "/ca.pem",
                "key", rec("CertKey", "certFile", "/c.pem", "keyFile", "/k.pem", "keyPassword", "kp"));
        assertEquals(new CertKey("/c.pem", "/k.pem", "kp"), s.key());
        assertEquals("/ca.pem", s.cert());
        assertTrue(!s.toString().contains("kp"), "passwords never printed (E3)");
    }

    @Test
    void keyAsKeyStore() {
        SecureSocket s = convert("key", rec("KeyStore", "path", "/k.p12", "password", "pw"));
        assertEquals(new KeyStore("/k.p12", "pw"), s.keyStore());
        assertNull(s.key());
    }

    @Test
    void protocol() {
        SecureSocket s = convert("cert", "/ca.pem", "protocol", rec("Protocol", "name", "TLS", "version", "1.3"));
        assertEquals("TLS", s.protocolName());
        assertEquals("1.3", s.protocolVersion());
        assertEquals("SSL", convert("protocol", rec("Protocol", "name", "SSL", "version", "3")).protocolName());
    }

    @Test
    void wrongShapesNameTheField() {
        assertEquals("secureSocket.cert must be a PEM file path or a crypto:TrustStore",
                assertThrows(MqttException.class, () -> convert("cert", 5L)).getMessage());
        assertEquals("secureSocket.key has no keyFile",
                assertThrows(MqttException.class, () -> convert("key", rec("CertKey", "certFile", "/c"))).getMessage());
        assertEquals("secureSocket.cert has no path",
                assertThrows(MqttException.class, () -> convert("cert", rec("TrustStore", "password", "x"))).getMessage());
    }

    @Test
    void connectionConfigurationFieldsAndUnits() {
        ConnectionConfig c = Values.connectionConfig(rec("ConnectionConfiguration",
                "username", "u", "password", "p", "maxReconnectDelay", 5000L, "keepAliveInterval", 0L,
                "connectionTimeout", 7L, "cleanStart", false, "serverUris", list(str("tcp://a:1"), str("tcp://b:2")),
                "automaticReconnect", true, "sessionExpiryInterval", 3600L,
                "secureSocket", rec("SecureSocket", "cert", "/ca.pem")));
        assertEquals("u", c.username());
        assertEquals("p", c.password());
        assertEquals(5000L, c.maxReconnectDelay());
        assertEquals(0, c.keepAliveInterval());
        assertEquals(7, c.connectionTimeout());
        assertEquals(Boolean.FALSE, c.cleanStart());
        assertEquals(List.of("tcp://a:1", "tcp://b:2"), c.serverUris());
        assertEquals(Boolean.TRUE, c.automaticReconnect());
        assertEquals(3600L, c.sessionExpiryInterval());
        assertEquals("/ca.pem", c.secureSocket().cert());
        ConnectionConfig empty = Values.connectionConfig(rec("ConnectionConfiguration"));
        assertEquals(ConnectionConfig.defaults(), empty);
        assertEquals("Invalid keepAliveInterval 4294967296: out of range", assertThrows(MqttException.class,
                () -> Values.connectionConfig(rec("ConnectionConfiguration", "keepAliveInterval", 1L << 32)))
                .getMessage());
    }

    @Test
    void listenerConfiguration() {
        // Ballerina calls wait without a Java-side limit, as in 1.4.1 (Values.BALLERINA_WAIT).
        assertEquals(new ListenerConfig(null, true, Duration.ZERO), Values.listenerConfig(rec("ListenerConfiguration",
                "manualAcks", true)));
        assertEquals(new ListenerConfig(null, false, Duration.ZERO),
                Values.listenerConfig(rec("ListenerConfiguration")));
        assertEquals(Duration.ZERO, Values.clientConfig(rec("ClientConfiguration")).requestTimeout());
    }
}
