package io.ballerina.lib.mqtt.engine;

/**
 * The service of an {@link MqttListener} (contract §2.4, L2–L5). All three methods run on the
 * listener's dispatch thread, one at a time, never concurrently.
 *
 * <pre>{@code
 * listener.attach(new MessageHandler() {
 *     public void onMessage(Message message, Caller caller) {
 *         System.out.println(message.topic() + ": " + message.payloadAsString());
 *     }
 *
 *     public void onError(MqttException error) {
 *         System.err.println("listener: " + error.getMessage());
 *     }
 * });
 * }</pre>
 */
public interface MessageHandler {
    /**
     * Called for each message in arrival order. An exception or error thrown here goes to
     * {@link #onError(MqttException)} (wrapped; the original is the cause). In automatic-ack mode
     * the message is acknowledged after this returns, whether it threw or not (L3).
     *
     * @param message the received message
     * @param caller  acknowledges ({@link Caller#complete()}) or answers ({@link Caller#respond(Message)}) it
     * @throws Exception any failure, passed to {@link #onError(MqttException)}
     */
    void onMessage(Message message, Caller caller) throws Exception;

    /**
     * A failure of onMessage, a lost connection or a refused subscription (L4).
     * The default logs the error with its stack at ERROR on the {@code System.Logger}
     * {@code io.ballerina.lib.mqtt.listener}.
     *
     * @param error the failure
     */
    default void onError(MqttException error) {
        Logs.LISTENER.log(System.Logger.Level.ERROR, "unhandled listener error: " + error.getMessage(), error);
    }

    /**
     * A response sent with {@link Caller#respond(Message)} was delivered (L5).
     *
     * @param token the response's token (topic = the response topic)
     */
    default void onComplete(DeliveryToken token) {
    }
}
