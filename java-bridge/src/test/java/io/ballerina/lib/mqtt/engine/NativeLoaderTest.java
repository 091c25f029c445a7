package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeLoaderTest {
    @Test
    void resourcePaths() {
        assertEquals("/native/linux-x86_64/libmqtt_engine.so", NativeLoader.resourcePath("Linux", "amd64"));
        assertEquals("/native/linux-aarch64/libmqtt_engine.so", NativeLoader.resourcePath("Linux", "aarch64"));
        assertEquals("/native/macos-aarch64/libmqtt_engine.dylib", NativeLoader.resourcePath("Mac OS X", "aarch64"));
        assertEquals("/native/macos-x86_64/libmqtt_engine.dylib", NativeLoader.resourcePath("Mac OS X", "x86_64"));
        assertEquals("/native/windows-x86_64/mqtt_engine.dll", NativeLoader.resourcePath("Windows 11", "amd64"));
    }

    @Test
    void unknownPlatformNamesOsArchAndResource() {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.extract("Plan 9", "mips64"));
        String message = e.getMessage();
        assertTrue(message.contains("Plan 9"), message);
        assertTrue(message.contains("mips64"), message);
        assertTrue(message.contains("/native/plan9-mips64/libmqtt_engine.so"), message);
        assertTrue(message.contains("-D" + NativeLoader.LIBRARY_PROPERTY), message);
    }
}
