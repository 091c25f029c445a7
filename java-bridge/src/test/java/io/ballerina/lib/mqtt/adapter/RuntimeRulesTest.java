package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.values.BObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.ballerina.lib.mqtt.adapter.Bal.MESSAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime rules that the test fakes model (runtime-standin/README.md): they must refuse what the
 * real Ballerina 2201.11 runtime gets wrong, or the adapter tests would not catch an adapter doing it.
 */
class RuntimeRulesTest {
    private static FakeValues.Env env;

    /** A service whose onMessage does nothing (the fake runtime calls it by reflection). */
    public static final class Quiet {
        public Object onMessage(Object message) {
            return null;
        }
    }

    @BeforeAll
    static void setUp() {
        env = Bal.setUp();
    }

    @Test
    void yieldAndRunRunsOnTheCallingThreadAndRecordsIt() {
        int before = env.yieldThreads.size();
        Thread caller = Thread.currentThread();
        assertEquals(caller, env.yieldAndRun(Thread::currentThread));
        assertEquals(caller, env.yieldThreads.get(before));
    }

    @Test
    void nestedYieldAndRunIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> env.yieldAndRun(() -> env.yieldAndRun(() -> "inner")));
        assertTrue(e.getMessage().contains("inside yieldAndRun"), e.getMessage());
        assertEquals("after", env.yieldAndRun(() -> "after"), "the thread may yield again afterwards");
    }

    @Test
    void callMethodInsideYieldAndRunIsRefusedAndWorksOutsideIt() {
        BObject service = Services.service(false).remote("onMessage", MESSAGE).on(new Quiet());
        Object message = Bal.message("x");
        assertThrows(IllegalStateException.class,
                () -> env.yieldAndRun(() -> env.runtime.callMethod(service, "onMessage", null, message)));
        assertEquals(null, env.runtime.callMethod(service, "onMessage", null, message));
    }
}
