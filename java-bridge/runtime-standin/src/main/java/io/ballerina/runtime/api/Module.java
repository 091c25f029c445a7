package io.ballerina.runtime.api;

import java.util.Objects;

/**
 * Stand-in of {@code io.ballerina.runtime.api.Module}. 2201.11 removed {@code getVersion()}, so it is
 * not declared here.
 */
public class Module {
    private final String org;
    private final String name;
    private final String version;

    public Module(String org, String name, String version) {
        this.org = org;
        this.name = name;
        this.version = version;
    }

    public String getOrg() {
        return org;
    }

    public String getName() {
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Module m && Objects.equals(org, m.org) && Objects.equals(name, m.name)
                && Objects.equals(version, m.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(org, name, version);
    }

    @Override
    public String toString() {
        return org + "/" + name + ":" + version;
    }
}
