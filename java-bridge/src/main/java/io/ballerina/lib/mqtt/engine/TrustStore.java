package io.ballerina.lib.mqtt.engine;

import java.util.Objects;

/** A PKCS#12 file of trusted certificates (contract T1). {@link #toString()} never shows the password. */
public record TrustStore(String path, String password) {
    public TrustStore {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String toString() {
        return "TrustStore[path=" + path + ", password=" + (password == null ? "null" : "***") + "]";
    }
}
