package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.fixture.TlsBroker.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.ballerina.lib.mqtt.engine.fixture.TlsBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS and authentication matrix (contract T1-T5, E2, E3) through the Java host API, against
 * mosquitto listeners from {@link TlsBroker}, with material made at test time by
 * tests/certs/gen-stores.sh. Every error message is scanned for the passwords and key bytes used.
 */
class TlsTest {
    /** Passwords of tests/certs/gen-stores.sh (test-only). */
    static final String STORE_PASSWORD = "Store-Pa55-7x";
    static final String KEY_PASSWORD = "Key-Pa55-9q";
    static final String WRONG_PASSWORD = "Wr0ng-Pa55-3z";
    static final String AUTH_PASSWORD = "Auth-Pa55-5k";
    static final String WRONG_AUTH_PASSWORD = "Bad-Auth-Pa55-1m";
    private static final AtomicInteger IDS = new AtomicInteger();

    private static TlsBroker tls;
    private static TlsBroker mtls;
    private static final List<String> SEEN = new ArrayList<>();

    @BeforeAll
    static void start() {
        tls = TlsBroker.start(TlsBroker.options());
        mtls = TlsBroker.start(TlsBroker.options().mtls());
    }

    @AfterAll
    static void stop() {
        if (tls != null) {
            tls.close();
        }
        if (mtls != null) {
            mtls.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ClientConfig config(SecureSocket s) {
        return ClientConfig.of(ConnectionConfig.builder().secureSocket(s).build());
    }

    /** Connect, subscribe, publish to itself, receive it, close. */
    private static void roundTrip(String url, ClientConfig config) {
        MqttClient c = MqttClient.connect(url, "tls-" + IDS.incrementAndGet(), config);
        try {
            c.subscribe(List.of(Subscription.of("tls/t", 1)));
            MessageStream stream = c.receive();
            c.publish("tls/t", Message.of("hello"));
            Message m = stream.next(Duration.ofSeconds(10));
            assertNotNull(m, "no message within 10 s");
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), m.payload());
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(MqttClient c) {
        try {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        } catch (MqttException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    private static void roundTrip(String url, SecureSocket s) {
        roundTrip(url, config(s));
    }

    /** The connect fails; the message is scanned for secrets (E3) and returned. */
    private static MqttException connectFails(String url, ClientConfig config) {
        MqttException e = assertThrows(MqttException.class, () -> {
            MqttClient c = MqttClient.connect(url, "tls-" + IDS.incrementAndGet(), config);
            closeQuietly(c);
            fail("connect succeeded but must fail");
        });
        String all = e + " | " + e.getMessage() + " | " + e.getCause() + " | " + config;
        synchronized (SEEN) {
            SEEN.add(all);
        }
        assertNoSecret(all);
        return e;
    }

    private static MqttException connectFails(String url, SecureSocket s) {
        return connectFails(url, config(s));
    }

    private static void assertContains(String needle, MqttException e) {
        assertTrue(e.getMessage().contains(needle), "expected '" + needle + "' in: " + e.getMessage());
    }

    static void assertNoSecret(String text) {
        for (String secret : List.of(STORE_PASSWORD, KEY_PASSWORD, WRONG_PASSWORD, AUTH_PASSWORD,
                WRONG_AUTH_PASSWORD)) {
            assertFalse(text.contains(secret), "E3: a password is in: " + text);
        }
        for (String chunk : keyMaterial()) {
            assertFalse(text.contains(chunk), "E3: key material is in: " + text);
        }
    }

    private static List<String> material;

    /** 24-character pieces of every key's base64 and hex of every store's bytes. */
    static synchronized List<String> keyMaterial() {
        if (material == null) {
            List<String> out = new ArrayList<>();
            try (Stream<Path> files = Files.list(TlsBroker.material())) {
                for (Path p : files.toList()) {
                    String name = p.getFileName().toString();
                    byte[] bytes = Files.readAllBytes(p);
                    if (name.endsWith(".key")) {
                        for (String line : new String(bytes, StandardCharsets.US_ASCII).split("\n")) {
                            if (line.length() >= 24 && !line.startsWith("-----") && !line.contains(":")) {
                                out.add(line.substring(0, 24));
                            }
                        }
                    } else if (name.endsWith(".p12") && !name.equals("corrupt.p12")) {
                        out.add(HexFormat.of().formatHex(bytes, 16, 40));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            material = out;
        }
        return material;
    }

    private static SecureSocket ca() {
        return SecureSocket.ofCert(file("ca.pem"));
    }

    // ------------------------------------------------------------------ T1

    @Test
    void pemFileWithSeveralCasWorks() {
        roundTrip(tls.tlsUrl(), SecureSocket.ofCert(file("cas.pem")));
        assertContains("not trusted", connectFails(tls.tlsUrl(), SecureSocket.ofCert(file("extra-ca.pem"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"trust-keytool.p12", "trust-openssl.p12", "trust-legacy.p12"})
    void pkcs12TrustStoresWork(String store) {
        roundTrip(tls.tlsUrl(), SecureSocket.ofTrustStore(new TrustStore(file(store), STORE_PASSWORD)));
    }

    // ------------------------------------------------------------------ T4

    @ParameterizedTest
    @CsvSource({"selfsigned.pem,selfsigned.key", "selfsigned-ca.pem,selfsigned-ca.key"})
    void pinnedSelfSignedServerCertificateWorks(String cert, String key) {
        try (TlsBroker b = TlsBroker.start(TlsBroker.options().serverCert(cert, key))) {
            roundTrip(b.tlsUrl(), SecureSocket.ofCert(file(cert)));
            roundTrip("ssl://127.0.0.1:" + b.tlsPort(), SecureSocket.ofCert(file(cert)));
            assertContains("not trusted", connectFails(b.tlsUrl(), ca()));
        }
    }

    @Test
    void sslToIpAddressWorks() {
        roundTrip("ssl://127.0.0.1:" + tls.tlsPort(), ca());
    }

    @Test
    void ecServerCertificateWorks() {
        try (TlsBroker b = TlsBroker.start(TlsBroker.options().serverCert("server-ec.pem", "server-ec.key"))) {
            roundTrip(b.tlsUrl(), ca());
        }
    }

    @Test
    void expiredWrongHostAndUntrustedServerCertificatesFail() {
        try (TlsBroker b = TlsBroker.start(
                TlsBroker.options().serverCert("server-expired.pem", "server-expired.key"))) {
            assertContains("certificate has expired", connectFails(b.tlsUrl(), ca()));
        }
        try (TlsBroker b = TlsBroker.start(
                TlsBroker.options().serverCert("server-wronghost.pem", "server-wronghost.key"))) {
            assertContains("not valid for the host name 'localhost'", connectFails(b.tlsUrl(), ca()));
        }
        assertContains("not trusted", connectFails(tls.tlsUrl(), SecureSocket.ofCert(file("selfsigned.pem"))));
    }

    // ------------------------------------------------------------------ T2

    @ParameterizedTest
    @CsvSource(nullValues = "NONE", value = {
        "client.pem,client.key,NONE",
        "client.pem,client-rsa-pkcs1.key,NONE",
        "client.pem,client-rsa-pkcs8-enc.key," + KEY_PASSWORD,
        "client.pem,client-rsa-pkcs8-3des.key," + KEY_PASSWORD,
        "client.pem,client-rsa-aes128.key," + KEY_PASSWORD,
        "client.pem,client-rsa-aes192.key," + KEY_PASSWORD,
        "client.pem,client-rsa-aes256.key," + KEY_PASSWORD,
        "client.pem,client-rsa-des3.key," + KEY_PASSWORD,
        "client-chain.pem,client.key,NONE",
        "client-ec.pem,client-ec.key,NONE",
        "client-ec.pem,client-ec-pkcs8.key,NONE",
        "client-ec.pem,client-ec-pkcs8-enc.key," + KEY_PASSWORD,
        "client-ec.pem,client-ec-aes256.key," + KEY_PASSWORD,
        "client-ec.pem,client-ec-des3.key," + KEY_PASSWORD,
    })
    void pemClientKeysWork(String cert, String key, String password) {
        roundTrip(mtls.tlsUrl(), ca().withKey(new CertKey(file(cert), file(key), password)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"client-legacy.p12", "client-modern.p12", "client-ec.p12", "client-keytool.p12"})
    void pkcs12KeyStoresWork(String store) {
        roundTrip(mtls.tlsUrl(), ca().withKeyStore(new KeyStore(file(store), STORE_PASSWORD)));
    }

    @Test
    void trustStoreAndKeyStoreTogether() {
        roundTrip(mtls.tlsUrl(), SecureSocket.ofTrustStore(new TrustStore(file("trust-legacy.p12"), STORE_PASSWORD))
                .withKeyStore(new KeyStore(file("client-modern.p12"), STORE_PASSWORD)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.3"})
    void clientCertificateRequiredButNotGiven(String version) {
        MqttException e = connectFails(mtls.tlsUrl(), ca().withProtocol("TLS", version));
        assertContains("client certificate", e);
    }

    // ------------------------------------------------------------------ T3

    @Test
    void tls12OnlyBroker() {
        try (TlsBroker b = TlsBroker.start(TlsBroker.options().tlsVersion("tlsv1.2"))) {
            roundTrip(b.tlsUrl(), ca().withProtocol("TLS", "1.2"));
            roundTrip(b.tlsUrl(), ca());
            assertContains("TLS version", connectFails(b.tlsUrl(), ca().withProtocol("TLS", "1.3")));
        }
    }

    @Test
    void tls13OnlyBroker() {
        try (TlsBroker b = TlsBroker.start(TlsBroker.options().tlsVersion("tlsv1.3"))) {
            roundTrip(b.tlsUrl(), ca().withProtocol("TLS", "1.3"));
            roundTrip(b.tlsUrl(), ca());
            assertContains("TLS version", connectFails(b.tlsUrl(), ca().withProtocol("TLS", "1.2")));
        }
    }

    @Test
    void unsupportedProtocolNamesAndVersions() {
        assertContains("'SSL'", connectFails(tls.tlsUrl(), ca().withProtocol("SSL", "3.0")));
        assertContains("'1.1'", connectFails(tls.tlsUrl(), ca().withProtocol("TLS", "1.1")));
    }

    // ------------------------------------------------------------------ T5

    @Test
    void fileErrorsNameFileAndCause() {
        String url = tls.tlsUrl();
        String missing = "/nonexistent/mqtt-test/missing.p12";
        MqttException e = connectFails(url, SecureSocket.ofTrustStore(new TrustStore(missing, STORE_PASSWORD)));
        assertContains(missing, e);
        assertContains("no such file", e);
        e = connectFails(url, SecureSocket.ofCert("/nonexistent/mqtt-test/ca.pem"));
        assertContains("/nonexistent/mqtt-test/ca.pem", e);

        for (String store : List.of("trust-openssl.p12", "trust-legacy.p12", "trust-keytool.p12")) {
            e = connectFails(url, SecureSocket.ofTrustStore(new TrustStore(file(store), WRONG_PASSWORD)));
            assertContains(file(store), e);
            assertContains("wrong password", e);
        }
        for (String store : List.of("client-legacy.p12", "client-modern.p12")) {
            e = connectFails(url, ca().withKeyStore(new KeyStore(file(store), WRONG_PASSWORD)));
            assertContains(file(store), e);
            assertContains("wrong password", e);
        }
        for (String key : List.of("client-rsa-pkcs8-enc.key", "client-rsa-aes256.key", "client-rsa-des3.key",
                "client-ec-aes256.key")) {
            e = connectFails(url, ca().withKey(new CertKey(file("client.pem"), file(key), WRONG_PASSWORD)));
            assertContains(file(key), e);
            assertContains("wrong keyPassword", e);
            e = connectFails(url, ca().withKey(new CertKey(file("client.pem"), file(key))));
            assertContains("give its password as keyPassword", e);
        }
        e = connectFails(url, SecureSocket.ofTrustStore(new TrustStore(file("corrupt.p12"), STORE_PASSWORD)));
        assertContains("not a valid PKCS#12 file", e);
        e = connectFails(url, SecureSocket.ofCert(file("corrupt.pem")));
        assertContains(file("corrupt.pem"), e);
        assertContains("not valid PEM", e);
        e = connectFails(url, SecureSocket.ofCert(file("truncated-cert.pem")));
        assertContains("not valid PEM", e);
        e = connectFails(url, ca().withKey(new CertKey(file("client.pem"), file("server.key"))));
        assertContains("private key does not match the certificate", e);
        assertContains(file("server.key"), e);
    }

    // ------------------------------------------------------------------ E2

    @Test
    void usernamePasswordOverTls() {
        try (TlsBroker b = TlsBroker.start(TlsBroker.options().auth("carol", AUTH_PASSWORD))) {
            roundTrip(b.tlsUrl(), ClientConfig.of(ConnectionConfig.builder()
                    .credentials("carol", AUTH_PASSWORD).secureSocket(ca()).build()));
            MqttException e = connectFails(b.tlsUrl(), ClientConfig.of(ConnectionConfig.builder()
                    .credentials("carol", WRONG_AUTH_PASSWORD).secureSocket(ca()).build()));
            int code = e.reasonCode().orElse(-1);
            assertTrue(code == 134 || code == 135, "reason code " + code + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ E3

    @Test
    void toStringNeverShowsPasswords() {
        SecureSocket s = SecureSocket.ofTrustStore(new TrustStore(file("trust-openssl.p12"), STORE_PASSWORD))
                .withKey(new CertKey(file("client.pem"), file("client-rsa-aes256.key"), KEY_PASSWORD))
                .withKeyStore(new KeyStore(file("client-modern.p12"), STORE_PASSWORD));
        ConnectionConfig c = ConnectionConfig.builder().credentials("u", AUTH_PASSWORD).secureSocket(s).build();
        String text = c + " " + s + " " + ClientConfig.of(c);
        assertNoSecret(text);
        assertTrue(text.contains("client-modern.p12"), text);
    }

    /** Everything printed on System.out/err during failing connects (Java-side logs) is free of secrets. */
    @Test
    void capturedOutputHasNoSecrets() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            connectFails(tls.tlsUrl(), ca().withKeyStore(new KeyStore(file("client-modern.p12"), WRONG_PASSWORD)));
            connectFails(tls.tlsUrl(), ca().withKey(
                    new CertKey(file("client.pem"), file("client-rsa-aes128.key"), WRONG_PASSWORD)));
            connectFails(mtls.tlsUrl(), ca());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertNoSecret(buf.toString(StandardCharsets.UTF_8));
        synchronized (SEEN) {
            for (String s : SEEN) {
                assertNoSecret(s);
            }
        }
    }

    @Test
    void secretsAreScannedForReal() {
        // The scanner itself must catch a key line and a password.
        String keyLine = keyMaterial().get(0);
        assertThrows(AssertionError.class, () -> assertNoSecret("x " + keyLine));
        assertThrows(AssertionError.class, () -> assertNoSecret("x " + STORE_PASSWORD));
        assertEquals(false, keyMaterial().isEmpty());
    }
}
