package io.ballerina.lib.mqtt.engine;

/** A PKCS#12 file with the client certificate and key (contract T2). {@link #toString()} never shows the password. */
public record KeyStore(String path, String password) {
    /**
     * Checks and copies the components.
     *
     * @param path the PKCS#12 file
     * @param password its password
     */
    public KeyStore {
        MqttException.nonNull(path, "KeyStore path");
    }

    @Override
    public String toString() {
        return "KeyStore[path=" + path + ", password=" + (password == null ? "null" : "***") + "]";
    }
}
