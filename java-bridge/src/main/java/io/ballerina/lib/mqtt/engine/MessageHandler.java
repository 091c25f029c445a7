package io.ballerina.lib.mqtt.engine;

/**
 * The service of an {@link MqttListener} (contract §2.4, L2–L5). All three methods run on the
 * listener's dispatch thread, one at a time, never concurrently.
 */
public interface MessageHandler {
    /**
     * Called for each message in arrival order. An exception or error thrown here goes to
     * {@link #onError(MqttException)} (wrapped; the original is the cause). In automatic-ack mode
     * the message is acknowledged after this returns, whether it threw or not (L3).
     */
    void onMessage(Message message, Caller caller) throws Exception;

    /**
     * A failure of onMessage, a lost connection or a refused subscription (L4).
     * The default prints the error and its stack to stderr.
     */
    default void onError(MqttException error) {
        System.err.println("mqtt: unhandled listener error: " + error.getMessage());
        error.printStackTrace();
    }

    /** A response sent with {@link Caller#respond(Message)} was delivered (L5). */
    default void onComplete(DeliveryToken token) {
    }
}
