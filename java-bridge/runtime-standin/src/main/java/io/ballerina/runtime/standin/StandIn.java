package io.ballerina.runtime.standin;

/** Holds the installed {@link Provider}. */
public final class StandIn {
    private static volatile Provider provider;

    private StandIn() {
    }

    public static void install(Provider p) {
        provider = p;
    }

    public static Provider provider() {
        Provider p = provider;
        if (p == null) {
            throw new IllegalStateException("runtime stand-in: no Provider installed (tests install one)");
        }
        return p;
    }
}
