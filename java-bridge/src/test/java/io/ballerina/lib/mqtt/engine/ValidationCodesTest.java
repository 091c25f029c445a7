package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.function.Executable;

/**
 * E2 (issue 16): every MqttException from argument validation carries 32120
 * ({@link MqttException#INVALID_ARGUMENT}), whether Java found the problem, the engine did while decoding
 * the call (thrown through the JNI guard), or the engine did later (the call's completion).
 */
class ValidationCodesTest extends WithSharedBroker {
    private static MqttClient subject;

    @BeforeAll
    static void connect() {
        subject = MqttClient.connect(broker.url(), id("codes"));
    }

    @AfterAll
    static void close() {
        if (subject != null) {
            subject.close();
        }
    }

    static Stream<Arguments> invalidArguments() {
        Map<String, Executable> cases = new java.util.LinkedHashMap<>();
        // Java-side checks.
        cases.put("client id null", () -> MqttClient.connect(broker.url(), null));
        cases.put("topic null", () -> subject.publish(null, "x"));
        cases.put("message null", () -> subject.publish("t", (Message) null));
        cases.put("payload null", () -> Message.of((byte[]) null));
        cases.put("qos 3", () -> subject.publish("t", "x", 3));
        cases.put("topic with an unpaired surrogate", () -> subject.publish("a\uD800", "x"));
        cases.put("subscription null in varargs", () -> subject.subscribe((Subscription) null));
        cases.put("filter null in varargs", () -> subject.subscribe("a", null));
        cases.put("subscription list with null", () -> subject.subscribe(Arrays.asList(Subscription.of("a"), null)));
        cases.put("negative keepAliveInterval", () -> MqttClient.connect(broker.url(), id("codes"),
                ClientConfig.of(ConnectionConfig.builder().keepAliveInterval(-1).build())));
        cases.put("negative Duration", () -> ConnectionConfig.builder().maxReconnectDelay(Duration.ofMillis(-5)));
        cases.put("null timeout", () -> subject.subscribe(List.of(Subscription.of("a")), null));
        cases.put("negative timeout", () -> subject.reconnect(Duration.ofSeconds(-1)));
        cases.put("serverUris with null", () -> ConnectionConfig.builder().serverUris(Arrays.asList("tcp://a", null))
                .build());
        cases.put("user property null", () -> MessageProperties.empty().withUserProperties(Arrays.asList(
                (UserProperty) null)));
        cases.put("listener subscription null", () -> MqttListener.connect(broker.url(), id("codes-l"),
                Arrays.asList((Subscription) null), null));
        // The engine, thrown through the JNI guard (the call's arguments are decoded at once).
        cases.put("unsubscribe a null filter (JNI)", () -> subject.unsubscribe(Arrays.asList("a", null)));
        cases.put("unknown URI scheme", () -> MqttClient.connect("http://127.0.0.1:1", id("codes")));
        // The engine, in the call's completion.
        cases.put("wildcard topic", () -> subject.publish("a/+", "x"));
        cases.put("bad filter", () -> subject.subscribe("a/#/b"));
        cases.put("empty subscription list", () -> subject.subscribe(List.<Subscription>of()));
        return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidArguments")
    @DisplayName("E2: argument validation gives reason code 32120")
    void invalidArgumentCarriesItsCode(String name, Executable call) {
        MqttException e = assertThrows(MqttException.class, call, name);
        assertEquals(MqttException.INVALID_ARGUMENT, code(e), name + ": " + e.getMessage());
        assertTrue(subject.isConnected(), "the client survives: " + name);
    }
}
