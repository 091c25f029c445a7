package io.ballerina.lib.mqtt.engine;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the test classes that share one plain mosquitto per class. */
abstract class WithSharedBroker {
    static Broker broker;

    @BeforeAll
    static void startBroker() {
        broker = Broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
