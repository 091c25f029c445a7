package io.ballerina.lib.mqtt.bench;

import io.ballerina.lib.mqtt.adapter.ClientAdapter;
import io.ballerina.lib.mqtt.adapter.ModuleUtils;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The case {@code adapter:qos=Q:size=N:count=C:warmup=W:warmupsecs=S:runs=R}: what a Ballerina program's
 * {@code check client->publish(topic, {payload, qos})} costs, against the host API call it wraps.
 *
 * <p>One client, connected by {@code ClientAdapter.init} as the module's {@code init} does (it
 * keeps the {@link MqttClient} as native data on the Client object). Each run publishes
 * {@code count} synchronous messages twice on that same connection: once as
 * {@code MqttClient.publish(topic, Message.of(payload).withQos(q))} (what {@code OursImpl} does in
 * the publish case), once as {@code ClientAdapter.publish(env, self, topic, message)} with a
 * {@code BString} topic and a new {@code Message} record per call (a record literal in Ballerina,
 * holding the program's {@code byte[]} value), through {@link BalStandIn}'s
 * {@code Environment.yieldAndRun} on the calling thread, returning a {@code DeliveryToken} record.
 * The order of the two alternates from run to run, so drift of the machine hits both alike; the
 * ratio is taken per run.
 */
final class AdapterPath {
    private AdapterPath() {
    }

    static String run(String uri, Map<String, String> spec) throws Exception {
        int qos = (int) Bench.get(spec, "qos", 1);
        int size = (int) Bench.get(spec, "size", 100);
        int count = (int) Bench.get(spec, "count", 4000);

        BalStandIn.Env env = BalStandIn.install();
        ModuleUtils.setModule(env);
        BalStandIn.Obj self = new BalStandIn.Obj();
        String id = "adapter-" + ProcessHandle.current().pid();
        Object connected = ClientAdapter.init(env, self, new BalStandIn.Str(uri), new BalStandIn.Str(id), null);
        if (connected instanceof BError e) {
            throw new IllegalStateException("ClientAdapter.init: " + e.getErrorMessage().getValue());
        }
        MqttClient client = self.nativeData.values().stream()
                .filter(MqttClient.class::isInstance).map(MqttClient.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("ClientAdapter.init kept no MqttClient"));

        String topic = "bench/ours/adapter/" + ProcessHandle.current().pid();
        BString balTopic = new BalStandIn.Str(topic);
        byte[] body = Bench.payload(size);
        BalStandIn.Bytes balBody = new BalStandIn.Bytes(body);
        Long balQos = (long) qos;

        Runnable direct = () -> {
            for (int i = 0; i < count; i++) {
                client.publish(topic, Message.of(body).withQos(qos));
            }
        };
        Runnable adapter = () -> {
            for (int i = 0; i < count; i++) {
                BMap<BString, Object> message = new BalStandIn.Rec(null).with("payload", balBody).with("qos", balQos);
                Object token = ClientAdapter.publish(env, self, balTopic, message);
                if (!(token instanceof BMap<?, ?>)) {
                    throw new IllegalStateException("ClientAdapter.publish returned " + (token instanceof BError e
                            ? e.getErrorMessage().getValue() : String.valueOf(token)));
                }
            }
        };

        Side d = new Side();
        Side a = new Side();
        List<Double> ratios = new ArrayList<>();
        Bench.WarmUp warm = new Bench.WarmUp(spec);
        for (long run = 0; warm.more(); run++) {
            boolean counted = warm.start();
            if (run % 2 == 0) {
                d.measure(direct, count, counted);
                a.measure(adapter, count, counted);
            } else {
                a.measure(adapter, count, counted);
                d.measure(direct, count, counted);
            }
            if (counted) {
                ratios.add(a.rates.get(a.rates.size() - 1) / d.rates.get(d.rates.size() - 1));
            }
        }
        client.disconnect();
        client.close();
        return String.format(Locale.ROOT, "{\"impl\":\"ours\",\"case\":\"adapter\",\"qos\":%d,\"size\":%d,\"mode\":\"sync\","
                        + "\"count\":%d,\"direct_rate\":%s,\"adapter_rate\":%s,\"ratio\":%s,"
                        + "\"direct_cpu_us_per_msg\":%s,\"adapter_cpu_us_per_msg\":%s,"
                        + "\"direct_ctx_switches_per_msg\":%s,\"adapter_ctx_switches_per_msg\":%s,\"median_ratio\":%.3f}",
                qos, size, count, Bench.list(d.rates), Bench.list(a.rates), Bench.list(ratios), Bench.list(d.cpus),
                Bench.list(a.cpus), Bench.list(d.ctx), Bench.list(a.ctx), Bench.median(ratios));
    }

    /** Rate, CPU and context switches per message of one of the two paths, run by run. */
    private static final class Side {
        final List<Double> rates = new ArrayList<>();
        final List<Double> cpus = new ArrayList<>();
        final List<Double> ctx = new ArrayList<>();

        void measure(Runnable loop, int count, boolean counted) throws Exception {
            long[] c0 = Bench.contextSwitches();
            long cpu0 = Bench.OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            loop.run();
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (Bench.OS.getProcessCpuTime() - cpu0) / 1000.0 / count;
            long[] c1 = Bench.contextSwitches();
            if (counted) {
                rates.add(count / secs);
                cpus.add(cpu);
                ctx.add((double) (c1[0] + c1[1] - c0[0] - c0[1]) / count);
            }
        }
    }
}
