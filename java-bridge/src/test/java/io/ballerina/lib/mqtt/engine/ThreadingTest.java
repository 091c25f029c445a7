package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.engine.fixture.PacketProxy;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** User code on the bridge's threads: throwing and blocking handlers (L2, L4, L6), a JVM exiting without close. */
@Timeout(60)
class ThreadingTest extends WithSharedBroker {

    @Test
    @DisplayName("L4: an exception thrown by onMessage reaches onError (as the cause); the next message is still dispatched; a throwing onError is only logged")
    void l4ThrowingHandler() throws Exception {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        IllegalStateException boom = new IllegalStateException("boom");
        Exception checked = new Exception("checked");
        MqttListener l = MqttListener.connect(broker.url(), id("throws"), List.of(Subscription.of("thr/t")), null);
        MqttClient pub = Support.client(broker.url(), "thr-pub");
        try {
            l.attach(new MessageHandler() {
                @Override
                public void onMessage(Message message, Caller caller) throws Exception {
                    String p = message.payloadAsString();
                    events.add("got " + p);
                    switch (p) {
                        case "runtime" -> throw boom;
                        case "checked" -> throw checked;
                        case "error" -> throw new AssertionError("an Error");
                        case "mqtt" -> throw new MqttException("from the handler", 42);
                        default -> {
                        }
                    }
                }

                @Override
                public void onError(MqttException error) {
                    events.add(error);
                    if (error.getCause() == checked) {
                        throw new IllegalStateException("onError itself fails");
                    }
                }
            });
            l.start();
            for (String p : new String[] {"runtime", "checked", "error", "mqtt", "fine"}) {
                pub.publish("thr/t", Message.of(p));
            }
            assertEquals("got runtime", poll(events));
            MqttException e1 = (MqttException) poll(events);
            assertSame(boom, e1.getCause(), "L4: the thrown exception is the cause");
            assertTrue(e1.getMessage().contains("boom"), e1.getMessage());
            assertEquals("got checked", poll(events));
            assertSame(checked, ((MqttException) poll(events)).getCause());
            assertEquals("got error", poll(events), "dispatch continues after onError threw");
            assertTrue(((MqttException) poll(events)).getCause() instanceof AssertionError);
            assertEquals("got mqtt", poll(events));
            MqttException own = (MqttException) poll(events);
            assertEquals("from the handler", own.getMessage());
            assertEquals(42, own.reasonCode().getAsInt());
            assertEquals("got fine", poll(events), "L4: the next message is still dispatched");
        } finally {
            l.gracefulStop();
            finish(pub);
        }
    }

    private static Object poll(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(o, "no event within " + SOON);
        return o;
    }

    @Test
    @DisplayName("L2, L6: a blocked handler does not stall a second listener; its gracefulStop completes once the handler is released")
    void l6BlockedHandler() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> blockedGot = new ArrayList<>();
        BlockingQueue<String> otherGot = new LinkedBlockingQueue<>();
        MqttListener blocked = MqttListener.connect(broker.url(), id("blocked"), List.of(Subscription.of("blk/a")), null);
        MqttListener other = MqttListener.connect(broker.url(), id("other"), List.of(Subscription.of("blk/b")), null);
        MqttClient pub = Support.client(broker.url(), "blk-pub");
        CompletableFuture<Void> stopping = null;
        try {
            blocked.attach((m, c) -> {
                synchronized (blockedGot) {
                    blockedGot.add(m.payloadAsString());
                }
                entered.countDown();
                release.await();
            });
            other.attach((m, c) -> otherGot.add(m.payloadAsString()));
            blocked.start();
            other.start();
            pub.publish("blk/a", Message.of("stuck"));
            pub.publish("blk/a", Message.of("queued behind"));
            assertTrue(entered.await(SOON.toSeconds(), TimeUnit.SECONDS), "the blocking handler was entered");
            for (int i = 0; i < 20; i++) {
                pub.publish("blk/b", Message.of("b" + i));
                assertEquals("b" + i, otherGot.poll(SOON.toMillis(), TimeUnit.MILLISECONDS),
                        "the second listener keeps working while the first is blocked");
            }
            stopping = new CompletableFuture<>();
            CompletableFuture<Void> stopped = stopping;
            Thread stopper = new Thread(() -> {
                try {
                    blocked.gracefulStop();
                    stopped.complete(null);
                } catch (Throwable t) {
                    stopped.completeExceptionally(t);
                }
            }, "test-graceful-stop");
            stopper.start();
            // Wait (condition, deadline) until gracefulStop is waiting for the running handler.
            assertTrue(Wait.until(SOON, () -> stopped.isDone() || (stopper.getState() == Thread.State.WAITING
                    && Arrays.stream(stopper.getStackTrace()).anyMatch(f -> f.getMethodName().equals("stopGracefully")))),
                    "gracefulStop did not start waiting");
            // Still blocked: the other listener keeps working, and the graceful stop waits for the handler.
            pub.publish("blk/b", Message.of("during stop"));
            assertEquals("during stop", otherGot.poll(SOON.toMillis(), TimeUnit.MILLISECONDS));
            assertFalse(stopping.isDone(), "L6: gracefulStop returned while onMessage was still running");
            release.countDown();
            stopping.get(SOON.toSeconds(), TimeUnit.SECONDS);
            synchronized (blockedGot) {
                assertEquals(List.of("stuck"), blockedGot, "L6: no new onMessage after gracefulStop began");
            }
            pub.publish("blk/b", Message.of("after"));
            assertEquals("after", otherGot.poll(SOON.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            release.countDown();
            if (stopping != null) {
                stopping.get(SOON.toSeconds(), TimeUnit.SECONDS);
            }
            finish(blocked);
            other.gracefulStop();
            finish(pub);
        }
    }

    @Test
    @DisplayName("§8: publishAsync dependents run on the publish completions thread; one that blocks holds up only publish completions, received messages keep flowing")
    void blockingPublishAsyncDependent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        MqttClient sub = Support.subscriber(broker.url(), "thr/dep/#");
        // The publisher's acks pass a proxy that holds them until the dependent is registered: it then runs where
        // the engine completes the publish, never on this thread (a race under load before).
        PacketProxy proxy = PacketProxy.start(broker.port());
        MqttClient pub = Support.client(proxy.url(), "thr-dep-pub");
        MqttClient other = Support.client(broker.url(), "thr-dep-other");
        try {
            MessageStream stream = sub.receive();
            proxy.holdAcks(true);
            pub.publishAsync("thr/dep/0", Message.of("dep0").withQos(2)).whenComplete((t, e) -> {
                if (Thread.currentThread().getName().equals("mqtt-engine-completions")) {
                    blocking.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            proxy.holdAcks(false);
            assertEquals("dep0", Support.next(stream, "the message").payloadAsString());
            assertTrue(blocking.await(SOON.toSeconds(), TimeUnit.SECONDS), "no dependent ran on mqtt-engine-completions");
            // Blocked dependent: publish futures wait, but the event pump still delivers messages and
            // completes other requests.
            CompletableFuture<DeliveryToken> waiting = other.publishAsync("thr/dep/during", Message.of("during").withQos(1));
            assertEquals("during", Support.next(stream, "message published while blocked").payloadAsString());
            sub.subscribe(List.of(Subscription.of("thr/more")));
            assertFalse(waiting.isDone(), "completed while the completions thread was blocked");
            release.countDown();
            assertTrue(waiting.get(SOON.toSeconds(), TimeUnit.SECONDS).messageId() > 0, "QoS 1 token after release");
            assertEquals("thr/dep/after", other.publish("thr/dep/after", Message.of("after").withQos(2)).topic());
        } finally {
            release.countDown();
            finish(sub);
            finish(pub);
            finish(other);
            proxy.close();
        }
    }

    @Test
    @DisplayName("Threads (docs/bridge.md): a JVM whose main returns without close() exits by itself, code 0, no JNI warning under -Xcheck:jni")
    void jvmExitsWithoutClose() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = Files.createTempFile("exit-without-close", ".txt");
        try {
            Process child = new ProcessBuilder(java.toString(), "-Xcheck:jni",
                    "-cp", System.getProperty("java.class.path"),
                    ExitWithoutClose.class.getName(), broker.url())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            boolean exited = child.waitFor(15, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly();
                child.waitFor(5, TimeUnit.SECONDS);
            }
            String output = read(out);
            assertTrue(exited, "the child JVM did not exit within 15 s after main returned:\n" + output);
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.contains("MAIN RETURNS"), output);
            assertFalse(output.contains("WARNING in native method"), output);
            assertFalse(output.contains("FATAL ERROR in native method"), output);
            assertFalse(output.contains("Exception"), output);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
