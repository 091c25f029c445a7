package io.ballerina.lib.mqtt.engine;

/** A PKCS#12 file of trusted certificates (contract T1). {@link #toString()} never shows the password. */
public record TrustStore(String path, String password) {
    /**
     * Checks and copies the components.
     *
     * @param path the PKCS#12 file
     * @param password its password
     */
    public TrustStore {
        MqttException.nonNull(path, "TrustStore path");
    }

    @Override
    public String toString() {
        return "TrustStore[path=" + path + ", password=" + (password == null ? "null" : "***") + "]";
    }
}
