/**
 * The Java host API of {@code ballerina/mqtt}: an MQTT 5 client and listener over the Rust engine (JNI).
 * Only {@link io.ballerina.lib.mqtt.engine} is exported; the Ballerina interop adapters in the same jar
 * run on the class path of a Ballerina program, where this descriptor does not apply.
 *
 * <p>On the module path the engine loads its native library itself; give the module native access
 * ({@code --enable-native-access=io.ballerina.lib.mqtt}) on Java 22 and later to avoid the warning.
 */
module io.ballerina.lib.mqtt {
    requires java.management;

    exports io.ballerina.lib.mqtt.engine;
}
