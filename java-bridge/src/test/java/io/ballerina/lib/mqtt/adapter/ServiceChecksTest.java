package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.values.BObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.ballerina.lib.mqtt.adapter.Bal.CALLER;
import static io.ballerina.lib.mqtt.adapter.Bal.DELIVERY_TOKEN;
import static io.ballerina.lib.mqtt.adapter.Bal.ERROR;
import static io.ballerina.lib.mqtt.adapter.Bal.MESSAGE;
import static io.ballerina.lib.mqtt.adapter.Bal.NIL;
import static io.ballerina.lib.mqtt.adapter.Bal.PLAIN_ERROR;
import static io.ballerina.lib.mqtt.adapter.Services.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** attach-time checks: the released compiler plugin's rules and wording (MQTT_101 … MQTT_117). */
class ServiceChecksTest {
    private static final FakeTypes.Rec OTHER = new FakeTypes.Rec("Message", new io.ballerina.runtime.api.Module(
            "acme", "other", "1"));

    @BeforeAll
    static void setUp() {
        Bal.setUp();
    }

    private static String check(Services s) {
        return ServiceChecks.check(s.on(new Object()));
    }

    private static String rule(String method, String text, String code) {
        return "Invalid mqtt:Service: remote function " + method + ": " + text + " [" + code + "]";
    }

    @Test
    void validServices() {
        assertNull(check(service(false).remote("onMessage", MESSAGE)));
        assertNull(check(service(true).remote("onMessage", new FakeTypes.Ref(MESSAGE), new FakeTypes.Ref(CALLER))
                .remote("onError", ERROR).remote("onComplete", DELIVERY_TOKEN)));
        assertNull(check(service(false).remote("onMessage", false, new FakeTypes.Union(PLAIN_ERROR, NIL), MESSAGE)
                .remote("onError", false, ERROR, PLAIN_ERROR)));
        assertNull(check(service(false).remote("onMessage", MESSAGE).plain("helper", MESSAGE)));
    }

    @Test
    void onMessageRules() {
        assertEquals("Invalid mqtt:Service: Service must have remote method onMessage. (method onMessage not found)"
                + " [MQTT_101]", check(service(false).remote("onError", ERROR)));
        assertEquals(rule("onMessage", "Must have the required parameter mqtt:Message and optional parameter"
                + " mqtt:Caller.", "MQTT_105"), check(service(false).remote("onMessage")));
        assertEquals(rule("onMessage", "Invalid method parameter count. Only mqtt:Caller and mqtt:Message are"
                + " allowed.", "MQTT_108"), check(service(false).remote("onMessage", MESSAGE, CALLER, MESSAGE)));
        assertEquals(rule("onMessage", "Invalid method parameter. Only mqtt:Message is allowed.", "MQTT_106"),
                check(service(false).remote("onMessage", OTHER)));
        assertEquals(rule("onMessage", "Invalid method parameter. Only mqtt:Message is allowed.", "MQTT_106"),
                check(service(false).remote("onMessage", CALLER, MESSAGE)));
        assertEquals(rule("onMessage", "Invalid method parameter. Only mqtt:Caller is allowed", "MQTT_107"),
                check(service(false).remote("onMessage", MESSAGE, MESSAGE)));
        assertEquals(rule("onMessage", "Invalid return type. Only error? or mqtt:Error? is allowed.", "MQTT_109"),
                check(service(false).remote("onMessage", false, MESSAGE, MESSAGE)));
        assertEquals(rule("onMessage", "Invalid return type. Only error? or mqtt:Error? is allowed.", "MQTT_109"),
                check(service(false).remote("onMessage", false, new FakeTypes.Union(ERROR, MESSAGE), MESSAGE)));
    }

    @Test
    void remoteQualifierAndUnknownMethods() {
        assertEquals(rule("onMessage", "Method must have the remote qualifier.", "MQTT_104"),
                check(service(false).plain("onMessage", MESSAGE)));
        assertEquals(rule("onError", "Method must have the remote qualifier.", "MQTT_104"),
                check(service(false).remote("onMessage", MESSAGE).plain("onError", ERROR)));
        assertEquals(rule("onRequest", "Invalid remote method.", "MQTT_102"),
                check(service(false).remote("onMessage", MESSAGE).remote("onRequest", MESSAGE)));
    }

    @Test
    void onErrorRules() {
        Services base = service(false).remote("onMessage", MESSAGE);
        assertEquals(rule("onError", "Must have the required parameter mqtt:Error", "MQTT_111"),
                check(base.remote("onError")));
        assertEquals(rule("onError", "Invalid method parameter count. Only mqtt:Error is allowed.", "MQTT_112"),
                check(service(false).remote("onMessage", MESSAGE).remote("onError", ERROR, ERROR)));
        assertEquals(rule("onError", "Invalid method parameter. Only mqtt:Error or error is allowed", "MQTT_113"),
                check(service(false).remote("onMessage", MESSAGE).remote("onError", MESSAGE)));
        assertEquals(rule("onError", "Invalid return type. Only error? or mqtt:Error? is allowed.", "MQTT_109"),
                check(service(false).remote("onMessage", MESSAGE).remote("onError", false, MESSAGE, ERROR)));
    }

    @Test
    void onCompleteRules() {
        assertEquals(rule("onComplete", "Must have the required parameter mqtt:DeliveryToken", "MQTT_117"),
                check(service(false).remote("onMessage", MESSAGE).remote("onComplete")));
        assertEquals(rule("onComplete", "Invalid method parameter count. Only mqtt:DeliveryToken is allowed",
                "MQTT_116"), check(service(false).remote("onMessage", MESSAGE)
                .remote("onComplete", DELIVERY_TOKEN, DELIVERY_TOKEN)));
        assertEquals(rule("onComplete", "Invalid method parameter. Only mqtt:DeliveryToken is allowed", "MQTT_115"),
                check(service(false).remote("onMessage", MESSAGE).remote("onComplete", MESSAGE)));
    }

    @Test
    void notAServiceObject() {
        BObject plain = Bal.object("Client");
        assertEquals("Invalid mqtt:Service: Service must have remote method onMessage. (method onMessage not found)"
                + " [MQTT_101]", ServiceChecks.check(plain));
        assertEquals("Invalid mqtt:Service: the service is missing", ServiceChecks.check(null));
    }
}
