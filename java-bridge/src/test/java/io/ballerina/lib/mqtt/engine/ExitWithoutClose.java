package io.ballerina.lib.mqtt.engine;

import java.util.List;

/**
 * Run in a child JVM by {@link ThreadingTest}: connects a client (subscribed, with a stream) and a
 * started listener, publishes once, and returns from main without closing anything. The JVM must
 * exit by itself (the event pump is a daemon, engine threads are never attached to the JVM).
 */
public final class ExitWithoutClose {
    private ExitWithoutClose() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        MqttClient client = MqttClient.connect(url, "exit-client-" + ProcessHandle.current().pid(), null);
        client.subscribe(List.of(Subscription.of("exit/t")));
        MessageStream stream = client.receive();
        MqttListener listener = MqttListener.connect(url, "exit-listener-" + ProcessHandle.current().pid(),
                List.of(Subscription.of("exit/t")), null);
        java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(1);
        listener.attach((message, caller) -> got.countDown());
        listener.start();
        client.publish("exit/t", Message.of("bye"));
        if (stream.next(java.time.Duration.ofSeconds(10)) == null
                || !got.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            System.out.println("NO MESSAGE");
            System.exit(3);
        }
        System.out.println("MAIN RETURNS");
    }
}
