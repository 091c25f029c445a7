package io.ballerina.lib.mqtt.engine;

/**
 * A PEM certificate chain and PEM private key (PKCS#1, PKCS#8 or SEC1), the key optionally
 * encrypted with {@code keyPassword} (contract T2). {@link #toString()} never shows the password.
 */
public record CertKey(String certFile, String keyFile, String keyPassword) {
    /**
     * Checks and copies the components.
     *
     * @param certFile the PEM certificate chain file
     * @param keyFile the PEM private key file
     * @param keyPassword the key's password; null = not encrypted
     */
    public CertKey {
        MqttException.nonNull(certFile, "CertKey certFile");
        MqttException.nonNull(keyFile, "CertKey keyFile");
    }

    /**
     * A certificate chain and an unencrypted key.
     *
     * @param certFile the PEM certificate chain file
     * @param keyFile  the PEM private key file
     */
    public CertKey(String certFile, String keyFile) {
        this(certFile, keyFile, null);
    }

    @Override
    public String toString() {
        return "CertKey[certFile=" + certFile + ", keyFile=" + keyFile
                + ", keyPassword=" + (keyPassword == null ? "null" : "***") + "]";
    }
}
