package io.ballerina.lib.mqtt.engine;

/**
 * Run in a child JVM with a fixed, pre-touched heap by {@link LifecycleTest} so that RSS changes are
 * native memory only: warm-up, then {@code args[1]} connect/disconnect/close cycles against
 * {@code args[0]}; prints {@code RESULT threads0 fds0 rss0 threads1 fds1 rss1 millis}.
 */
public final class LeakCycles {
    private LeakCycles() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int cycles = Integer.parseInt(args[1]);
        String prefix = "leak-" + ProcessHandle.current().pid() + "-";
        for (int i = 0; i < 100; i++) {
            cycle(url, prefix + i);
        }
        System.gc();
        long threads0 = LifecycleTest.osThreads();
        long fds0 = LifecycleTest.fds();
        long rss0 = LifecycleTest.rssBytes();
        long start = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            cycle(url, prefix + i);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.gc();
        io.ballerina.lib.mqtt.engine.fixture.Wait.until(Support.SOON,
                () -> LifecycleTest.osThreads() <= threads0 && LifecycleTest.fds() <= fds0);
        System.out.println("RESULT " + threads0 + " " + fds0 + " " + rss0 + " " + LifecycleTest.osThreads() + " "
                + LifecycleTest.fds() + " " + LifecycleTest.rssBytes() + " " + millis);
    }

    private static void cycle(String url, String clientId) {
        MqttClient c = MqttClient.connect(url, clientId, null);
        c.disconnect();
        c.close();
    }
}
