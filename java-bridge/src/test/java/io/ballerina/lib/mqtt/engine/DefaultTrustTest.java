package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.fixture.TlsBroker.file;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.adapter.DefaultTrustProbe;
import io.ballerina.lib.mqtt.engine.fixture.TlsBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Contract T6: {@code ssl://} with no {@code cert} trusts what the JVM trusts by default, including a
 * trust store named by {@code -Djavax.net.ssl.trustStore}. The broker's CA is made at test time
 * (tests/certs/gen-certs.sh) and put, alone, into a PKCS#12 file; child JVMs with and without that
 * file as their default trust store connect to {@code ssl://127.0.0.1:<port>} through the Java host
 * API and through the Ballerina adapters ({@link DefaultTrustProbe}). The JDK's cacerts does not
 * hold the test CA, so without the property the connect must fail certificate verification.
 */
class DefaultTrustTest {
    private static final String STORE_PASSWORD = "Default-Trust-Pa55-4w";
    private static final long CHILD_DEADLINE_SECONDS = 60;

    private static TlsBroker tls;
    private static TlsBroker mtls;
    @TempDir
    static Path dir;
    private static Path trustStore;

    @BeforeAll
    static void start() throws IOException, GeneralSecurityException {
        tls = TlsBroker.start(TlsBroker.options());
        mtls = TlsBroker.start(TlsBroker.options().mtls());
        trustStore = dir.resolve("ca-only.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(file("ca.pem")))) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            store.setCertificateEntry("mqtt-test-ca", ca);
        }
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            store.store(out, STORE_PASSWORD.toCharArray());
        }
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

    private static List<String> trustStoreProperties(String password) {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Djavax.net.ssl.trustStorePassword=" + password);
    }

    /** Runs the probe in a child JVM with the built engine on its class path; returns what it printed. */
    private static String probe(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DefaultTrustProbe.class.getName());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "probe-", ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(CHILD_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the probe JVM did not finish within " + CHILD_DEADLINE_SECONDS + " s: "
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(p.exitValue() == 0, "probe JVM exit " + p.exitValue() + ": " + text);
        return text;
    }

    private static void assertReceived(String mode, String output) {
        assertTrue(output.contains("RECEIVED default-trust-" + mode), "connected and received: " + output);
    }

    private static void assertVerificationFailed(String url, String output) {
        assertFalse(output.contains("RECEIVED"), output);
        assertTrue(output.contains("FAILED TLS handshake with " + url), "a TLS error naming the URI: " + output);
        assertTrue(output.contains("certificate verification failed"), "names certificate verification: " + output);
        assertTrue(output.contains("not signed by a CA that the JVM trusts by default"),
                "says what was trusted: " + output);
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "adapter"})
    void noSecureSocketTrustsTheStoreNamedByJavaxNetSslTrustStore(String mode) throws Exception {
        String url = "ssl://127.0.0.1:" + tls.tlsPort();
        assertReceived(mode, probe(trustStoreProperties(STORE_PASSWORD), mode, url));
        assertVerificationFailed(url, probe(List.of(), mode, url));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "adapter"})
    void aKeyWithoutACertIsMutualTlsWithTheDefaultTrust(String mode) throws Exception {
        String url = "ssl://127.0.0.1:" + mtls.tlsPort();
        String cert = file("client.pem");
        String key = file("client.key");
        assertReceived(mode, probe(trustStoreProperties(STORE_PASSWORD), mode, url, cert, key));
        assertVerificationFailed(url, probe(List.of(), mode, url, cert, key));
    }

    @Test
    void aWrongTrustStorePasswordNamesTheStoreAndNotThePassword() throws Exception {
        String wrong = "Wrong-Trust-Pa55-8e";
        String output = probe(trustStoreProperties(wrong), "api", tls.tlsUrl());
        assertTrue(output.contains("FAILED Cannot read the JVM's default trust store (javax.net.ssl.trustStore="
                + trustStore + ", type PKCS12)"), output);
        assertFalse(output.contains(wrong), "E3: the password is not shown: " + output);
        assertFalse(output.contains(STORE_PASSWORD), output);
    }
}
