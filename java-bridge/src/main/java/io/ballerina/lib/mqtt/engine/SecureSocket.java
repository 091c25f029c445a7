package io.ballerina.lib.mqtt.engine;

/**
 * TLS settings (contract §6). The Ballerina unions become pairs of fields of which at most one
 * is set: {@code cert} (PEM CA file) or {@code trustStore}; {@code key} ({@link CertKey}) or
 * {@code keyStore}. {@code protocolName}/{@code protocolVersion} pin the TLS version
 * (e.g. "TLS", "1.3"); null = TLS 1.2 and 1.3 allowed. With neither {@code cert} nor
 * {@code trustStore}, the client trusts what the JVM trusts by default (contract T6: cacerts, or the
 * store named by {@code javax.net.ssl.trustStore}), as with no SecureSocket at all.
 * {@link #toString()} never shows passwords.
 */
public record SecureSocket(String cert, TrustStore trustStore, CertKey key, KeyStore keyStore,
                           String protocolName, String protocolVersion) {

    /**
     * Trust the CA certificates of a PEM file (T1).
     *
     * @param pemCaFile the PEM file
     * @return the settings
     */
    public static SecureSocket ofCert(String pemCaFile) {
        return new SecureSocket(pemCaFile, null, null, null, null, null);
    }

    /**
     * Trust the certificates of a PKCS#12 trust store (T1).
     *
     * @param trustStore the trust store
     * @return the settings
     */
    public static SecureSocket ofTrustStore(TrustStore trustStore) {
        return new SecureSocket(null, trustStore, null, null, null, null);
    }

    /**
     * Trust what the JVM trusts by default (T6); add a client certificate with {@link #withKey} or
     * {@link #withKeyStore}, or pin the version with {@link #withProtocol}.
     *
     * @return the settings
     */
    public static SecureSocket defaultTrust() {
        return new SecureSocket(null, null, null, null, null, null);
    }

    /**
     * A copy with another {@code key}.
     *
     * @param newKey the new value
     * @return the copy
     */
    public SecureSocket withKey(CertKey newKey) {
        return new SecureSocket(cert, trustStore, newKey, keyStore, protocolName, protocolVersion);
    }

    /**
     * A copy with another {@code keyStore}.
     *
     * @param newKeyStore the new value
     * @return the copy
     */
    public SecureSocket withKeyStore(KeyStore newKeyStore) {
        return new SecureSocket(cert, trustStore, key, newKeyStore, protocolName, protocolVersion);
    }

    /**
     * A copy that pins the TLS version (T3).
     *
     * @param name    "TLS"
     * @param version "1.2" or "1.3"
     * @return the copy
     */
    public SecureSocket withProtocol(String name, String version) {
        return new SecureSocket(cert, trustStore, key, keyStore, name, version);
    }

    @Override
    public String toString() {
        // The component records mask their own passwords.
        return "SecureSocket[cert=" + cert + ", trustStore=" + trustStore + ", key=" + key
                + ", keyStore=" + keyStore + ", protocolName=" + protocolName
                + ", protocolVersion=" + protocolVersion + "]";
    }
}
