package io.ballerina.runtime.api;

import java.util.Objects;

/** Stand-in of {@code io.ballerina.runtime.api.Module} (Ballerina 2201.11+): same constructor and getters. */
public class Module {
    private final String org;
    private final String name;
    private final String version;

    public Module(String org, String name, String version) {
        this.org = org;
        this.name = name;
        this.version = version;
    }

    public Module(String org, String name) {
        this(org, name, "");
    }

    public String getOrg() {
        return org;
    }

    public String getName() {
        return name;
    }

    public String getVersion() {
        return version;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Module m && Objects.equals(org, m.org) && Objects.equals(name, m.name)
                && Objects.equals(version, m.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(org, name, version);
    }

    @Override
    public String toString() {
        return org + "/" + name + (version == null || version.isEmpty() ? "" : ":" + version);
    }
}
