package io.ballerina.lib.mqtt.engine;

import java.util.List;

/**
 * JNI cost of the bridge's per-message native calls, measured on a connected client (benchmark
 * only; lives in the engine's package to reach the package-private {@link Native}).
 * Requests made here use ids no future waits for: the event pump drops their completions.
 */
public final class JniProbe {
    private JniProbe() {
    }

    /** Results in nanoseconds per call. */
    public record Result(double statusNs, double publishQos0Ns, double creditNs, double ackNs, double encodeNs,
                         double pollPerEventNs) {
    }

    public static Result measure(String uri, int payloadSize, int iterations) throws InterruptedException {
        MqttClient client = MqttClient.connect(uri, "jni-probe-" + ProcessHandle.current().pid(), null);
        try {
            long h = client.handle();
            Message message = Message.of(new byte[payloadSize]).withQos(0);
            byte[] topic = "bench/jni/probe".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Wire.Outgoing outgoing = Wire.outgoing(topic, message);
            double status = 0;
            double publish = 0;
            double credit = 0;
            double ack = 0;
            double encode = 0;
            for (int round = 0; round < 3; round++) { // the last round counts: JIT warm
                long sink = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    sink += Native.status(h);
                }
                status = (System.nanoTime() - t0) / (double) iterations;

                // QoS 0 publishes in bursts of 1000 (the engine writes them out between bursts).
                long spent = 0;
                long requestId = Long.MAX_VALUE / 2;
                for (int done = 0; done < iterations; ) {
                    int burst = Math.min(1000, iterations - done);
                    long b0 = System.nanoTime();
                    for (int i = 0; i < burst; i++) {
                        Native.publish(h, topic, outgoing.payload(), 0, false, null, requestId++);
                    }
                    spent += System.nanoTime() - b0;
                    done += burst;
                    Thread.sleep(1);
                }
                publish = spent / (double) iterations;

                t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    Native.credit(h, 1);
                }
                credit = (System.nanoTime() - t0) / (double) iterations;

                // An ack of a sequence number never delivered with one credit (the end of a dispatch): the engine looks the
                // ack up and ignores it.
                t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    Native.ack(h, 1, Long.MAX_VALUE - i, 1);
                }
                ack = (System.nanoTime() - t0) / (double) iterations;

                t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    sink += Wire.outgoing(topic, message).payload().length;
                }
                encode = (System.nanoTime() - t0) / (double) iterations;
                if (sink == 42) {
                    System.err.print("");
                }
            }
            return new Result(status, publish, credit, ack, encode, pollPerEvent(uri, payloadSize));
        } finally {
            try {
                client.disconnect();
            } finally {
                client.close();
            }
        }
    }

    /**
     * Native.poll + Wire.decodeEvents per received message: a client subscribes, floods itself with
     * QoS 0 messages, and the time the pump spends polling and decoding is read from the thread's
     * CPU clock (the pump thread's CPU time per event delivered).
     */
    private static double pollPerEvent(String uri, int payloadSize) throws InterruptedException {
        MqttClient client = MqttClient.connect(uri, "jni-probe-poll-" + ProcessHandle.current().pid(), null);
        try {
            String topic = "bench/jni/poll/" + ProcessHandle.current().pid();
            client.subscribe(List.of(Subscription.of(topic, 0)));
            MessageStream stream = client.receive();
            Message message = Message.of(new byte[payloadSize]).withQos(0);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long pumpId = -1;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("mqtt-engine-event-pump")) {
                    pumpId = t.getId();
                }
            }
            double result = 0;
            for (int round = 0; round < 3; round++) {
                int n = 20_000;
                long cpu0 = threads.getThreadCpuTime(pumpId);
                Thread receiver = new Thread(() -> {
                    for (int i = 0; i < n; i++) {
                        stream.next();
                    }
                });
                receiver.start();
                for (int i = 0; i < n; i++) {
                    client.publishAsync(topic, message);
                    if (i % 500 == 499) {
                        Thread.sleep(1);
                    }
                }
                receiver.join();
                // The pump also completed the n publish futures: count 2 events per message.
                result = (threads.getThreadCpuTime(pumpId) - cpu0) / (2.0 * n);
            }
            return result;
        } finally {
            try {
                client.disconnect();
            } finally {
                client.close();
            }
        }
    }
}
