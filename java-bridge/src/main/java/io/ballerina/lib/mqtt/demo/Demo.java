package io.ballerina.lib.mqtt.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ballerina.lib.mqtt.engine.Caller;
import io.ballerina.lib.mqtt.engine.ClientConfig;
import io.ballerina.lib.mqtt.engine.DeliveryToken;
import io.ballerina.lib.mqtt.engine.ListenerConfig;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageHandler;
import io.ballerina.lib.mqtt.engine.MessageProperties;
import io.ballerina.lib.mqtt.engine.MessageStream;
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.lib.mqtt.engine.MqttListener;
import io.ballerina.lib.mqtt.engine.Subscription;

/**
 * A tour of the Java host API over the Rust engine: a listener service answering requests with
 * {@code Caller.respond}, a client doing request/response with correlation data over its
 * receive stream, QoS 1 and QoS 2 publishes with their delivery tokens, and a manual-ack listener.
 *
 * <p>Starts its own mosquitto on a free loopback port unless {@code MQTT_URL} names a broker.
 * Exits 0 on success, 1 with a message on failure.
 */
public final class Demo {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Demo() {
    }

    public static void main(String[] args) {
        LocalBroker broker = null;
        int exit = 0;
        try {
            String url = System.getenv("MQTT_URL");
            if (url == null || url.isBlank()) {
                broker = LocalBroker.start();
                url = broker.url();
                System.out.println("Started mosquitto at " + url);
            } else {
                System.out.println("Using the broker at " + url + " (MQTT_URL)");
            }
            run(url);
            System.out.println("Demo finished: all steps succeeded.");
        } catch (Throwable t) {
            System.out.println("Demo FAILED: " + t.getMessage());
            // The trace through System.Logger (to whatever logging the JVM has), not raw stderr.
            System.getLogger(Demo.class.getName()).log(System.Logger.Level.ERROR, "demo failed", t);
            exit = 1;
        } finally {
            if (broker != null) {
                broker.stop();
                System.out.println("Stopped mosquitto");
            }
        }
        System.exit(exit);
    }

    private static void run(String url) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String requests = "demo/" + run + "/requests";
        String replies = "demo/" + run + "/replies";
        String jobs = "demo/" + run + "/jobs";

        // 1. A listener service that answers each request on its response topic.
        CountDownLatch responseDelivered = new CountDownLatch(1);
        MqttListener responder = MqttListener.connect(url, "demo-responder-" + run,
                List.of(Subscription.of(requests)), ListenerConfig.defaults());
        responder.attach(new MessageHandler() {
            @Override
            public void onMessage(Message message, Caller caller) {
                String question = message.payloadAsString();
                System.out.println("[responder] request on " + message.topic() + ": \"" + question + "\"");
                caller.respond(Message.of("answer to \"" + question + "\""));
            }

            @Override
            public void onError(MqttException error) {
                System.err.println("[responder] error: " + error.getMessage());
            }

            @Override
            public void onComplete(DeliveryToken token) {
                System.out.println("[responder] response delivered: " + token);
                responseDelivered.countDown();
            }
        });
        responder.start();
        System.out.println("[responder] listening on " + requests);

        // 2. A client doing request/response with correlation data over its receive stream.
        MqttClient client = MqttClient.connect(url, "demo-client-" + run, ClientConfig.defaults());
        System.out.println("[client] connected: " + client.isConnected());
        client.subscribe(List.of(Subscription.of(replies)));
        MessageStream responses = client.receive();
        byte[] correlation = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        DeliveryToken requestToken = client.publish(requests, Message.of("what time is it?")
                .withProperties(MessageProperties.ofResponseTopic(replies).withCorrelationData(correlation)));
        System.out.println("[client] request sent: " + requestToken);
        Message response = responses.next(WAIT);
        check(response != null, "no response within " + WAIT.toSeconds() + " s");
        check(response.properties() != null
                && java.util.Arrays.equals(correlation, response.properties().correlationData()),
                "the response does not carry the request's correlation data");
        System.out.println("[client] response on " + response.topic() + ": \"" + response.payloadAsString()
                + "\" (correlation data " + HexFormat.of().formatHex(correlation, 0, 8) + "... matches)");
        check(responseDelivered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "onComplete was not called");

        // 3. QoS 1 and QoS 2 publishes: the tokens carry the packet identifiers.
        DeliveryToken qos1 = client.publish("demo/" + run + "/qos1", Message.of("at least once").withQos(1));
        System.out.println("[client] QoS 1 delivered (PUBACK): " + qos1);
        DeliveryToken qos2 = client.publishAsync("demo/" + run + "/qos2", Message.of("exactly once").withQos(2))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        System.out.println("[client] QoS 2 delivered (PUBCOMP): " + qos2);

        // 4. A manual-ack listener: the message is acknowledged only by caller.complete().
        CountDownLatch completed = new CountDownLatch(1);
        MqttListener worker = MqttListener.connect(url, "demo-worker-" + run,
                List.of(Subscription.of(jobs, 2)), ListenerConfig.defaults().withManualAcks(true));
        worker.attach((message, caller) -> {
            System.out.println("[worker] job \"" + message.payloadAsString() + "\" (QoS " + message.qos()
                    + ", id " + message.messageId() + "): processing, then complete()");
            caller.complete();
            completed.countDown();
        });
        worker.start();
        DeliveryToken job = client.publish(jobs, Message.of("resize image 42").withQos(2));
        System.out.println("[client] job published: " + job);
        check(completed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the worker got no job");
        System.out.println("[worker] job acknowledged");

        // 5. Shut down in order: streams, clients (disconnect, then close), listeners.
        responses.close();
        client.disconnect();
        client.close();
        System.out.println("[client] disconnected and closed");
        worker.gracefulStop();
        responder.gracefulStop();
        System.out.println("[listeners] stopped gracefully");
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }

    /** A mosquitto on a free loopback port with a temporary config. */
    private static final class LocalBroker {
        private final Path dir;
        private final int port;
        private final Process process;

        private LocalBroker(Path dir, int port, Process process) {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        String url() {
            return "tcp://127.0.0.1:" + port;
        }

        static LocalBroker start() throws IOException, InterruptedException {
            String mosquitto = findMosquitto();
            for (int attempt = 1; ; attempt++) {
                Path dir = Files.createTempDirectory("mqtt-demo-broker-");
                int port;
                try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                StringBuilder conf = new StringBuilder()
                        .append("listener ").append(port).append(" 127.0.0.1\n")
                        .append("allow_anonymous true\n")
                        .append("set_tcp_nodelay true\n");
                if ("root".equals(System.getProperty("user.name"))) {
                    conf.append("user root\n");
                }
                Path confFile = dir.resolve("mosquitto.conf");
                Files.writeString(confFile, conf);
                Path output = dir.resolve("mosquitto.out");
                Process process = new ProcessBuilder(mosquitto, "-c", confFile.toString())
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                LocalBroker broker = new LocalBroker(dir, port, process);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline && process.isAlive()) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                        return broker;
                    } catch (IOException notYet) {
                        process.waitFor(20, TimeUnit.MILLISECONDS);
                    }
                }
                String out = Files.exists(output) ? Files.readString(output).trim() : "";
                broker.stop();
                if (attempt >= 3 || !out.contains("Address already in use")) {
                    throw new IllegalStateException("mosquitto (" + mosquitto + ") did not start on port " + port
                            + (out.isEmpty() ? "" : ": " + out));
                }
            }
        }

        static String findMosquitto() {
            String path = System.getenv("PATH");
            if (path != null) {
                for (String d : path.split(File.pathSeparator)) {
                    Path p = Path.of(d, "mosquitto");
                    if (Files.isExecutable(p)) {
                        return p.toString();
                    }
                }
            }
            Path sbin = Path.of("/usr/sbin/mosquitto");
            if (Files.isExecutable(sbin)) {
                return sbin.toString();
            }
            throw new IllegalStateException("mosquitto not found on PATH or in /usr/sbin: install it "
                    + "(apt-get install mosquitto) or set MQTT_URL to a broker, e.g. MQTT_URL=tcp://localhost:1883");
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // A leftover temp dir is harmless.
            }
        }
    }
}
