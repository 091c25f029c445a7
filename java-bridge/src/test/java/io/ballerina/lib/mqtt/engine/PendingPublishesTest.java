package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * The table of publishes completed after their native call (no native library needed): the
 * outcome reaches the caller's future whichever side comes first, exactly once, and nothing stays
 * in the table (P1: a publish's token, or its failure, reaches the caller).
 */
class PendingPublishesTest {

    private static Wire.Completion delivered(long requestId, int messageId) {
        return new Wire.Completion(requestId, true, messageId, -1, null);
    }

    @Test
    void anOutcomeAfterTheCallerRegisteredCompletesItsFuture() throws Exception {
        PendingPublishes table = new PendingPublishes();
        PendingPublishes.Future future = new PendingPublishes.Future("a/b");
        table.register(7, future);
        assertEquals(1, table.size());
        table.settle(delivered(7, 42));
        assertEquals(new DeliveryToken(42, "a/b"), future.get(5, TimeUnit.SECONDS));
        assertEquals(0, table.size());
    }

    @Test
    void anOutcomeBeforeTheCallerRegisteredWaitsForIt() throws Exception {
        PendingPublishes table = new PendingPublishes();
        table.settle(delivered(8, 3));
        assertEquals(1, table.size());
        PendingPublishes.Future future = new PendingPublishes.Future("t");
        table.register(8, future);
        assertEquals(new DeliveryToken(3, "t"), future.get(5, TimeUnit.SECONDS));
        assertEquals(0, table.size());
    }

    @Test
    void aFailedOutcomeFailsTheFutureWithItsReasonCode() {
        PendingPublishes table = new PendingPublishes();
        PendingPublishes.Future future = new PendingPublishes.Future("t");
        table.register(9, future);
        table.settle(new Wire.Completion(9, false, 0, 0x97, "Quota exceeded"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        MqttException cause = assertInstanceOf(MqttException.class, e.getCause());
        assertEquals(0x97, cause.reasonCode().orElse(-1));
        assertTrue(cause.getMessage().contains("Quota exceeded"), cause.getMessage());
        assertEquals(0, table.size());
    }

    @Test
    void outcomesOfOtherPublishesDoNotTouchAWaitingFuture() {
        PendingPublishes table = new PendingPublishes();
        PendingPublishes.Future future = new PendingPublishes.Future("t");
        table.register(10, future);
        table.settle(delivered(11, 1));
        assertTrue(!future.isDone());
        assertEquals(2, table.size());
    }

    /** The caller and the completing thread racing on every request: each future completed once, right. */
    @Test
    void callerAndCompleterRacingLeaveEveryFutureCompletedAndTheTableEmpty() throws Exception {
        int n = 50_000;
        PendingPublishes table = new PendingPublishes();
        PendingPublishes.Future[] futures = new PendingPublishes.Future[n];
        for (int i = 0; i < n; i++) {
            futures[i] = new PendingPublishes.Future("t/" + i);
        }
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = new Thread(() -> race(go, failure, () -> {
            for (int i = 0; i < n; i++) {
                table.register(i, futures[i]);
            }
        }));
        Thread completer = new Thread(() -> race(go, failure, () -> {
            for (int i = 0; i < n; i++) {
                table.settle(delivered(i, i % 65_535 + 1));
            }
        }));
        caller.start();
        completer.start();
        go.countDown();
        caller.join(60_000);
        completer.join(60_000);
        assertEquals(null, failure.get());
        for (int i = 0; i < n; i++) {
            assertEquals(new DeliveryToken(i % 65_535 + 1, "t/" + i), futures[i].getNow(null), "request " + i);
        }
        assertEquals(0, table.size());
    }

    private static void race(CountDownLatch go, AtomicReference<Throwable> failure, Runnable body) {
        try {
            go.await();
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
