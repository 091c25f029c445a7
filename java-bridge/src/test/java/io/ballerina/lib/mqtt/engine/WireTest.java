package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The byte format of docs/bridge.md, checked byte by byte (no native library needed). */
class WireTest {

    /** A reader for the expected layout. */
    private static final class In {
        final ByteBuffer b;

        In(byte[] bytes) {
            b = ByteBuffer.wrap(bytes);
        }

        String str() {
            int n = b.getInt();
            if (n == -1) {
                return null;
            }
            byte[] s = new byte[n];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            int n = b.getInt();
            if (n == -1) {
                return null;
            }
            byte[] s = new byte[n];
            b.get(s);
            return s;
        }
    }

    @Test
    void outgoingPassesThePayloadArrayAndNoPropertiesWhenThereAreNone() {
        byte[] topic = "t".getBytes(StandardCharsets.UTF_8);
        Message m = Message.of("hi").withQos(2).withRetained(true);
        Wire.Outgoing out = Wire.outgoing(topic, m);
        assertSame(m.payloadRef(), out.payload(), "the message's own array: the engine copies it");
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), out.payload());
        assertEquals(2, out.qos());
        assertTrue(out.retained());
        assertNull(out.properties());
        assertSame(topic, out.topicUtf8());
        // Properties with every field absent are still encoded: only null means none.
        assertArrayEquals(Wire.encodeProperties(MessageProperties.empty()),
                Wire.outgoing(topic, m.withProperties(MessageProperties.empty())).properties());
    }

    @Test
    void propertiesEncodeEveryField() {
        MessageProperties p = new MessageProperties("reply/to", new byte[] {1, 2, 3},
                List.of(new UserProperty("k", "v1"), new UserProperty("k", "v2")), "text/plain", 60L, true);
        byte[] encoded = Wire.outgoing(new byte[0], Message.of(new byte[0]).withProperties(p)).properties();
        In in = new In(encoded);
        assertEquals("reply/to", in.str());
        assertArrayEquals(new byte[] {1, 2, 3}, in.bytes());
        assertEquals("text/plain", in.str());
        assertEquals(60L, in.b.getLong());
        assertEquals(1, in.b.get());
        assertEquals(2, in.b.getInt());
        assertEquals("k", in.str());
        assertEquals("v1", in.str());
        assertEquals("k", in.str());
        assertEquals("v2", in.str());
        assertFalse(in.b.hasRemaining());
    }

    @Test
    void absentPropertiesAreMinusOne() {
        In in = new In(Wire.encodeProperties(MessageProperties.empty()));
        assertNull(in.str());
        assertNull(in.bytes());
        assertNull(in.str());
        assertEquals(-1L, in.b.getLong());
        assertEquals(-1, in.b.get());
        assertEquals(0, in.b.getInt());
        assertFalse(in.b.hasRemaining());
    }

    @Test
    void subscriptions() {
        byte[] encoded = Wire.encodeSubscriptions(List.of(Subscription.of("a/#"),
                new Subscription("$share/g/b", 2, true, true, 2)));
        In in = new In(encoded);
        assertEquals(2, in.b.getInt());
        assertEquals("a/#", in.str());
        assertArrayEquals(new byte[] {1, 0, 0, 0}, new byte[] {in.b.get(), in.b.get(), in.b.get(), in.b.get()});
        assertEquals("$share/g/b", in.str());
        assertArrayEquals(new byte[] {2, 1, 1, 2}, new byte[] {in.b.get(), in.b.get(), in.b.get(), in.b.get()});
        assertFalse(in.b.hasRemaining());
    }

    @Test
    void optionsDefaults() {
        byte[] encoded = Wire.encodeOptions("tcp://h:1", "id", null, null);
        In in = new In(encoded);
        assertEquals(1, in.b.getInt());
        assertEquals("tcp://h:1", in.str());
        assertEquals("id", in.str());
        assertNull(in.str());
        assertNull(in.str());
        for (int i = 0; i < 2; i++) {
            assertEquals(-1L, in.b.getLong());
        }
        assertEquals(-1, in.b.get());
        assertEquals(-1, in.b.get());
        assertEquals(-1L, in.b.getLong());
        assertEquals(-1L, in.b.getLong());
        assertEquals(0, in.b.get());
        assertEquals(0, in.b.get());
        assertFalse(in.b.hasRemaining());
    }

    @Test
    void optionsEverything() {
        SecureSocket tls = new SecureSocket("ca.pem", new TrustStore("t.p12", "tp"),
                new CertKey("c.pem", "k.pem", "kp"), new KeyStore("k.p12", "ksp"), "TLS", "1.3");
        ConnectionConfig c = ConnectionConfig.builder().credentials("u", "p").secureSocket(tls)
                .maxReconnectDelay(5000L).keepAliveInterval(0).connectionTimeout(7).cleanStart(false)
                .serverUris(List.of("ssl://a:1", "ssl://b:2")).automaticReconnect(true)
                .sessionExpiryInterval(3600L).build();
        WillDetails will = new WillDetails(Message.of("bye").withQos(0), "will/t");
        In in = new In(Wire.encodeOptions("tcp://ignored", "cid", c, will));
        assertEquals(2, in.b.getInt());
        assertEquals("ssl://a:1", in.str());
        assertEquals("ssl://b:2", in.str());
        assertEquals("cid", in.str());
        assertEquals("u", in.str());
        assertEquals("p", in.str());
        assertEquals(0L, in.b.getLong());
        assertEquals(7L, in.b.getLong());
        assertEquals(0, in.b.get());
        assertEquals(1, in.b.get());
        assertEquals(5000L, in.b.getLong());
        assertEquals(3600L, in.b.getLong());
        assertEquals(1, in.b.get());
        for (String s : new String[] {"ca.pem", "t.p12", "tp", "c.pem", "k.pem", "kp", "k.p12", "ksp", "TLS", "1.3"}) {
            assertEquals(s, in.str());
        }
        assertEquals(-1, in.b.getInt(), "a cert is given: no default trust sent");
        assertEquals(1, in.b.get());
        assertEquals("will/t", in.str());
        assertArrayEquals("bye".getBytes(StandardCharsets.UTF_8), in.bytes());
        assertEquals(0, in.b.get());
        assertEquals(0, in.b.get());
        assertEquals(0, in.b.get());
        assertFalse(in.b.hasRemaining());
    }

    /** Skips to the TLS block of {@code encodeOptions} output with one URI and no other option. */
    private static In tlsBlock(String uri, ConnectionConfig c) {
        In in = new In(Wire.encodeOptions(uri, "cid", c, null));
        assertEquals(1, in.b.getInt());
        assertEquals(uri, in.str());
        assertEquals("cid", in.str());
        assertNull(in.str());
        assertNull(in.str());
        for (int i = 0; i < 2; i++) {
            assertEquals(-1L, in.b.getLong());
        }
        assertEquals(-1, in.b.get());
        assertEquals(-1, in.b.get());
        for (int i = 0; i < 2; i++) {
            assertEquals(-1L, in.b.getLong());
        }
        return in;
    }

    /** The certificates a TLS block carries as default trust, or null when it has none (-1). */
    private static List<byte[]> defaultTrust(In in, String... strings) {
        assertEquals(1, in.b.get(), "hasTls");
        for (String s : strings) {
            assertEquals(s, in.str());
        }
        int count = in.b.getInt();
        List<byte[]> ders = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            ders.add(in.bytes());
        }
        assertEquals(0, in.b.get(), "hasWill");
        assertFalse(in.b.hasRemaining());
        return count == -1 ? null : ders;
    }

    /** T6: ssl:// and wss:// without a cert carry exactly the JVM's default trusted certificates. */
    @Test
    void tlsWithoutCertCarriesTheJvmDefaultTrust() throws Exception {
        javax.net.ssl.TrustManagerFactory f = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        f.init((java.security.KeyStore) null);
        java.security.cert.X509Certificate[] expected =
                ((javax.net.ssl.X509TrustManager) f.getTrustManagers()[0]).getAcceptedIssuers();
        assertTrue(expected.length > 0, "the JDK trusts some CAs");
        String[] nulls = new String[10];
        for (String uri : List.of("ssl://h:1", "MQTTS://h", "wss://h/mqtt")) {
            List<byte[]> sent = defaultTrust(tlsBlock(uri, ConnectionConfig.defaults()), nulls);
            assertEquals(expected.length, sent.size(), uri);
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i].getEncoded(), sent.get(i), uri + " certificate " + i);
            }
        }
        ConnectionConfig keyOnly = ConnectionConfig.builder()
                .secureSocket(new SecureSocket(null, null, new CertKey("c.pem", "k.pem"), null, null, null)).build();
        List<byte[]> sent = defaultTrust(tlsBlock("ssl://h", keyOnly),
                null, null, null, "c.pem", "k.pem", null, null, null, null, null);
        assertEquals(expected.length, sent.size(), "a key without a cert trusts the JVM's defaults");
        assertNull(defaultTrust(tlsBlock("ssl://h", ConnectionConfig.builder()
                .secureSocket(SecureSocket.ofTrustStore(new TrustStore("t.p12", "pw"))).build()),
                null, "t.p12", "pw", null, null, null, null, null, null, null), "a trust store replaces the defaults");
        In plain = tlsBlock("tcp://h", ConnectionConfig.defaults());
        assertEquals(0, plain.b.get(), "tcp:// with no secureSocket has no TLS block");
    }

    @Test
    void negativeNumbersAreRefusedInJava() {
        ConnectionConfig c = ConnectionConfig.builder().keepAliveInterval(-5).build();
        MqttException e = assertThrows(MqttException.class, () -> Wire.encodeOptions("tcp://h", "id", c, null));
        assertTrue(e.getMessage().contains("keepAliveInterval"), e.getMessage());
    }

    // ------------------------------------------------------------------ event batches

    private static Wire.Writer props(Wire.Writer w) {
        return w.str("resp").bytes(new byte[] {9}).str(null).i64(-1).i8(0).i32(1).str("a").str("b");
    }

    @Test
    void decodesEveryEventType() {
        Wire.Writer w = new Wire.Writer().i32(5);
        w.i8(1).i64(7).i8(1).i32(42);
        w.i8(1).i64(8).i8(0).i32(135).str("Not authorized");
        w.i8(2).i64(3).i64(1).i64(17).str("t/2").bytes("payload".getBytes(StandardCharsets.UTF_8))
                .i8(2).i8(1).i8(0).i32(99);
        props(w);
        w.i8(3).i64(3).i8(1).i32(32109).str("Connection lost: reset").i8(0).i32(0).i64(0);
        w.i8(4).i64(3);
        List<Wire.Event> events = Wire.decodeEvents(w.toByteArray());
        assertEquals(5, events.size());

        Wire.Completion ok = assertInstanceOf(Wire.Completion.class, events.get(0));
        assertEquals(new Wire.Completion(7, true, 42, -1, null), ok);

        Wire.Completion failed = assertInstanceOf(Wire.Completion.class, events.get(1));
        assertFalse(failed.ok());
        MqttException error = failed.error();
        assertEquals("Not authorized", error.getMessage());
        assertEquals(135, error.reasonCode().getAsInt());

        Wire.Received r = assertInstanceOf(Wire.Received.class, events.get(2));
        assertEquals(3, r.handle());
        assertEquals(1, r.ackEpoch());
        assertEquals(17, r.ackSeq());
        Message m = r.message();
        assertEquals("t/2", m.topic());
        assertEquals("payload", m.payloadAsString());
        assertEquals(2, m.qos());
        assertTrue(m.retained());
        assertFalse(m.duplicate());
        assertEquals(99, m.messageId());
        assertEquals(new MessageProperties("resp", new byte[] {9}, List.of(new UserProperty("a", "b")),
                null, null, false), m.properties());

        Wire.ConnectionEvent c = assertInstanceOf(Wire.ConnectionEvent.class, events.get(3));
        assertEquals(new Wire.ConnectionEvent(3, 1, 32109, "Connection lost: reset"), c);
        assertEquals(new Wire.End(3), events.get(4));
    }

    @Test
    void receivedMessageWithoutPropertiesHasNullProperties() {
        Wire.Writer w = new Wire.Writer().i32(1);
        w.i8(2).i64(1).i64(-1).i64(-1).str("t").bytes(new byte[0]).i8(0).i8(0).i8(0).i32(0)
                .str(null).bytes(null).str(null).i64(-1).i8(-1).i32(0);
        Wire.Received r = (Wire.Received) Wire.decodeEvents(w.toByteArray()).get(0);
        assertNull(r.message().properties());
        assertEquals(-1, r.ackSeq());
    }

    @Test
    void malformedBatchesThrowMqttException() {
        assertTrue(Wire.decodeEvents(null).isEmpty());
        byte[] truncated = new Wire.Writer().i32(1).i8(1).i64(7).toByteArray();
        MqttException e = assertThrows(MqttException.class, () -> Wire.decodeEvents(truncated));
        assertTrue(e.getMessage().startsWith("Malformed event batch"), e.getMessage());
        byte[] unknown = new Wire.Writer().i32(1).i8(9).toByteArray();
        assertThrows(MqttException.class, () -> Wire.decodeEvents(unknown));
        byte[] trailing = new Wire.Writer().i32(0).i8(0).toByteArray();
        assertThrows(MqttException.class, () -> Wire.decodeEvents(trailing));
        byte[] hugeLength = new Wire.Writer().i32(1).i8(1).i64(1).i8(1).i32(0).i32(Integer.MAX_VALUE).toByteArray();
        assertThrows(MqttException.class, () -> Wire.decodeEvents(hugeLength));
    }

    @Test
    void messageRecordSemantics() {
        byte[] payload = {1, 2};
        Message m = Message.of(payload);
        payload[0] = 7;
        assertEquals(1, m.payload()[0], "payload is copied on the way in");
        m.payload()[1] = 9;
        assertEquals(2, m.payload()[1], "payload is copied on the way out");
        assertEquals(Message.of(new byte[] {1, 2}), m);
        assertEquals(Message.of(new byte[] {1, 2}).hashCode(), m.hashCode());
        assertEquals(1, m.qos());
        assertFalse(m.retained());
        assertEquals(1, Subscription.of("t").qos());
    }

    @Test
    void passwordsNeverPrinted() {
        ConnectionConfig c = ConnectionConfig.builder().credentials("user", "s3cret")
                .secureSocket(new SecureSocket(null, new TrustStore("t.p12", "s3cret"),
                        new CertKey("c", "k", "s3cret"), new KeyStore("k.p12", "s3cret"), null, null))
                .build();
        String text = new ClientConfig(c, null).toString() + new ListenerConfig(c, true);
        assertFalse(text.contains("s3cret"), text);
        assertTrue(text.contains("t.p12"), text);
    }
}
