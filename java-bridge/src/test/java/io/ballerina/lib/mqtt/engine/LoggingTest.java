package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import io.ballerina.lib.mqtt.engine.logging.CapturingLoggerFinder;
import io.ballerina.lib.mqtt.engine.logging.CapturingLoggerFinder.Entry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 16, logs: System.Logger under io.ballerina.lib.mqtt, quiet at INFO when healthy, no secrets (E3). */
@Timeout(90)
class LoggingTest {
    private static final String USER = "log-user";
    private static final String PASSWORD = "pw-Secret-4711";

    @BeforeAll
    static void finderInstalled() {
        assertTrue(CapturingLoggerFinder.installed(), "the test LoggerFinder is the JVM's: "
                + System.LoggerFinder.getLoggerFinder().getClass());
    }

    private static Predicate<Entry> mentions(String... ids) {
        return e -> {
            for (String id : ids) {
                if (e.text().contains(id)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<Entry> atLeast(Level level) {
        return e -> e.level().getSeverity() >= level.getSeverity();
    }

    private static ConnectionConfig.Builder credentials(String password) {
        return ConnectionConfig.builder().credentials(USER, password).automaticReconnect(true)
                .maxReconnectDelay(Duration.ofSeconds(1)).connectionTimeout(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("A healthy client and listener log nothing at INFO or above (connect, subscribe, publish, receive, respond, disconnect, close)")
    void healthyIsQuietAtInfo() throws Exception {
        String clientId = id("log-quiet");
        String listenerId = id("log-quiet-l");
        try (Broker broker = Broker.start(USER, PASSWORD)) {
            try (MqttListener listener = MqttListener.connect(broker.url(), listenerId,
                    ListenerConfig.of(credentials(PASSWORD).build()), "log/req");
                 MqttClient client = MqttClient.connect(broker.url(), clientId,
                         ClientConfig.of(credentials(PASSWORD).build()))) {
                listener.attach((m, caller) -> caller.respond(Message.of("pong")));
                listener.start();
                client.subscribe("log/resp");
                MessageStream stream = client.receive();
                client.publish("log/req", Message.of("ping").withProperties(
                        MessageProperties.empty().withResponseTopic("log/resp")));
                assertEquals("pong", next(stream, "the response").payloadAsString());
                client.disconnect();
            }
            // The DEBUG records of the lifecycle did come (the loggers are in use), on the events thread.
            assertTrue(Wait.until(SOON, () -> !CapturingLoggerFinder.entries(mentions(clientId).and(
                    e -> e.message().contains("Disconnected"))).isEmpty()), "the DEBUG record of the disconnect");
        }
        List<Entry> loud = CapturingLoggerFinder.entries(mentions(clientId, listenerId).and(atLeast(Level.INFO)));
        assertEquals(List.of(), loud, "nothing at INFO or above for a healthy client");
        assertEquals(List.of(), CapturingLoggerFinder.entries(e -> e.logger().equals("io.ballerina.lib.mqtt.engine")
                && e.level().getSeverity() >= Level.INFO.getSeverity()), "the event threads had no failure");
    }

    @Test
    @DisplayName("Lost (WARNING) and reconnected (INFO) connections, a handler error without onError (ERROR), a throwing connection listener (WARNING); no password anywhere")
    void failuresAreLoggedWithoutSecrets() {
        String clientId = id("log-loud");
        String listenerId = id("log-loud-l");
        try (Broker broker = Broker.start(USER, PASSWORD)) {
            MqttException refused = assertThrows(MqttException.class, () -> MqttClient.connect(broker.url(),
                    id("log-badpw"), ClientConfig.of(credentials(PASSWORD + "-wrong").build())));
            assertTrue(code(refused) == 134 || code(refused) == 135, refused.getMessage()); // mosquitto: 135
            try (MqttListener listener = MqttListener.connect(broker.url(), listenerId,
                    ListenerConfig.of(credentials(PASSWORD).build()), "log/fail");
                 MqttClient client = MqttClient.connect(broker.url(), clientId,
                         ClientConfig.of(credentials(PASSWORD).build()).withConnectionListener(event -> {
                             throw new IllegalStateException("listener bug");
                         }))) {
                listener.attach((m, caller) -> {
                    throw new IllegalArgumentException("handler failed on " + m.payloadAsString());
                });
                listener.start();
                client.publish("log/fail", "boom");
                assertTrue(Wait.until(SOON, () -> !CapturingLoggerFinder.entries(e -> e.level() == Level.ERROR
                        && e.logger().equals("io.ballerina.lib.mqtt.listener")
                        && e.text().contains("handler failed on boom")).isEmpty()), "ERROR for the unhandled error");

                broker.restart();
                assertTrue(Wait.until(SOON, () -> !CapturingLoggerFinder.entries(mentions(clientId).and(
                        e -> e.level() == Level.INFO && e.message().contains("Reconnected"))).isEmpty()),
                        "INFO for the reconnect: " + CapturingLoggerFinder.entries(mentions(clientId)));
                assertTrue(Wait.until(SOON, () -> !CapturingLoggerFinder.entries(mentions(listenerId).and(
                        e -> e.level() == Level.INFO && e.message().contains("Reconnected"))).isEmpty()),
                        "INFO for the listener's reconnect");
                List<Entry> lost = CapturingLoggerFinder.entries(mentions(clientId).and(
                        e -> e.level() == Level.WARNING && e.message().contains("Connection lost")));
                assertEquals(1, lost.size(), lost.toString());
                assertEquals("io.ballerina.lib.mqtt.connection", lost.get(0).logger());
                assertTrue(lost.get(0).message().contains("reason code 32109"), lost.get(0).message());
                assertTrue(Wait.until(SOON, () -> !CapturingLoggerFinder.entries(mentions(clientId).and(
                        e -> e.level() == Level.WARNING && e.text().contains("listener bug"))).isEmpty()),
                        "WARNING for the throwing connection listener");
            }
        }
        List<Entry> leaking = CapturingLoggerFinder.entries(e -> e.text().contains(PASSWORD));
        assertEquals(List.of(), leaking, "E3: no record shows the password");
    }

    @Test
    @DisplayName("Issue 13: the engine's own log records reach System.Logger io.ballerina.lib.mqtt.native.<module>: a broker that breaks the protocol (a PINGRESP with a reserved flag set, MQTT-2.1.3-1) is logged at WARNING by the protocol core")
    void engineRecordsReachSystemLogger() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread broker = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    in.readUnsignedByte(); // CONNECT
                    int remaining = 0;
                    for (int shift = 0, b = 0x80; (b & 0x80) != 0; shift += 7) {
                        b = in.readUnsignedByte();
                        remaining |= (b & 0x7F) << shift;
                    }
                    in.readFully(new byte[remaining]);
                    OutputStream out = socket.getOutputStream();
                    out.write(new byte[] {0x20, 0x03, 0x00, 0x00, 0x00}); // CONNACK, success, no properties
                    out.write(new byte[] {(byte) 0xD1, 0x00}); // PINGRESP with a reserved flag bit set
                    out.flush();
                    in.read(); // until the client closes
                } catch (IOException ignored) {
                    // the client went away: the test is over
                }
            }, "log-test-broker");
            broker.setDaemon(true);
            broker.start();
            MqttClient client = MqttClient.connect("tcp://127.0.0.1:" + server.getLocalPort(), id("log-engine"),
                    ClientConfig.defaults());
            try {
                Predicate<Entry> engineWarning = e -> e.logger().equals("io.ballerina.lib.mqtt.native.protocol")
                        && e.level() == Level.WARNING && e.message().contains("broke the MQTT protocol");
                assertTrue(Wait.until(SOON, () -> !CapturingLoggerFinder.entries(engineWarning).isEmpty()),
                        "the engine's WARNING: " + CapturingLoggerFinder.entries(
                                e -> e.logger().startsWith("io.ballerina.lib.mqtt.native")));
                assertTrue(Wait.until(SOON, () -> !client.isConnected()), "the connection was closed");
            } finally {
                client.close();
            }
        }
    }
}
