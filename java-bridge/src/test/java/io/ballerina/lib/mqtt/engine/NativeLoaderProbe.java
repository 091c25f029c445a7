package io.ballerina.lib.mqtt.engine;

/**
 * Run in a child JVM by {@link NativeLoaderProcessTest}: loads the engine library the way the bridge
 * does, calls one native method (so the library's JNI functions are really bound) and prints where
 * the library came from.
 */
public final class NativeLoaderProbe {
    private NativeLoaderProbe() {
    }

    public static void main(String[] args) {
        int status = Native.status(Long.MAX_VALUE);
        System.out.println("STATUS " + status);
        System.out.println("LOADED " + NativeLoader.loadedFrom());
    }
}
