package io.ballerina.lib.mqtt.engine;

import java.io.File;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * What the JVM trusts by default (contract T6): the accepted issuers of the default
 * {@link X509TrustManager}, that is {@code TrustManagerFactory.getInstance(getDefaultAlgorithm())}
 * initialised with no key store. That is the JDK's {@code cacerts} (or {@code jssecacerts}), or
 * the store named by {@code javax.net.ssl.trustStore} with its {@code trustStoreType},
 * {@code trustStorePassword} and {@code trustStoreProvider} — read by the JDK itself, so the
 * bridge trusts exactly what {@code SSLContext.getDefault()} would, as ballerina/mqtt 1.4.1 does.
 *
 * <p>The certificates are sent to the engine (DER, in the connect options, docs/bridge.md) when a
 * TLS connection has no {@code cert}. They are read once per JVM, at the first such connect, so
 * the properties must be set before it; a failed read is not kept and is tried again next time.
 */
final class DefaultTrust {
    private static final System.Logger LOG = System.getLogger(DefaultTrust.class.getName());
    static final String TRUST_STORE_PROPERTY = "javax.net.ssl.trustStore";
    static final String TRUST_STORE_TYPE_PROPERTY = "javax.net.ssl.trustStoreType";

    /** Not {@code synchronized}: strands call this on virtual threads (no pinning, issue 12). */
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile List<byte[]> certificates;

    private DefaultTrust() {
    }

    /** The DER encodings of the certificates the JVM trusts by default; read at first use. */
    static List<byte[]> certificates() {
        List<byte[]> cached = certificates;
        if (cached != null) {
            return cached;
        }
        LOCK.lock();
        try {
            if (certificates == null) {
                certificates = load();
            }
            return certificates;
        } finally {
            LOCK.unlock();
        }
    }

    private static List<byte[]> load() {
        String store = System.getProperty(TRUST_STORE_PROPERTY);
        if (store != null && !store.isEmpty() && !"NONE".equals(store) && !new File(store).canRead()) {
            // The JDK then falls back to its cacerts silently; say so once.
            LOG.log(System.Logger.Level.WARNING, "{0}={1} cannot be read: the JVM trusts its default cacerts "
                    + "instead", TRUST_STORE_PROPERTY, store);
        }
        List<byte[]> out = new ArrayList<>();
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                        out.add(issuer.getEncoded());
                    }
                }
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MqttException("Cannot read the JVM's default trust store (" + describeStore() + "): "
                    + causes(e) + "; give the broker's CA as secureSocket.cert instead", e);
        }
        if (out.isEmpty()) {
            throw new MqttException("The JVM's default trust store (" + describeStore()
                    + ") holds no certificate; give the broker's CA as secureSocket.cert");
        }
        LOG.log(System.Logger.Level.DEBUG, "{0} certificates trusted by default ({1})", out.size(), describeStore());
        return Collections.unmodifiableList(out);
    }

    /** The store's path and type, never its password (E3). */
    private static String describeStore() {
        String store = System.getProperty(TRUST_STORE_PROPERTY);
        if (store == null || store.isEmpty()) {
            return "the JDK's cacerts";
        }
        String type = System.getProperty(TRUST_STORE_TYPE_PROPERTY, KeyStore.getDefaultType());
        return TRUST_STORE_PROPERTY + "=" + store + ", type " + type.toUpperCase(Locale.ROOT);
    }

    /**
     * The messages of an exception and its first cause ("problem accessing trust store: keystore
     * password was incorrect"); deeper causes are cryptographic detail.
     */
    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < 2; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (text.indexOf(m) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(m);
            }
        }
        return text.toString();
    }

    /** Whether a server URI needs TLS (ssl://, mqtts://, wss://; contract C1). */
    static boolean isTls(String uri) {
        int end = uri.indexOf("://");
        if (end < 0) {
            return false;
        }
        String scheme = uri.substring(0, end).toLowerCase(Locale.ROOT);
        return scheme.equals("ssl") || scheme.equals("mqtts") || scheme.equals("wss");
    }
}
