package io.ballerina.lib.mqtt.engine;

import java.lang.System.Logger;

/**
 * The {@link System.Logger}s of the host API, all named under {@code io.ballerina.lib.mqtt}, so
 * that any logging framework bridged to {@code System.Logger} (or {@code java.util.logging} by
 * default) routes them. Levels: a healthy client logs nothing at INFO or above; connection
 * changes are INFO (lost: WARNING), per-request detail is DEBUG. Messages never carry passwords
 * or key material (contract E3): only client ids, server URIs, topics and engine error texts
 * (which name files, never their content).
 */
final class Logs {
    /** Connection lifecycle of clients and listeners (connected, lost, reconnected, closed). */
    static final Logger CONNECTION = System.getLogger("io.ballerina.lib.mqtt.connection");
    /** The engine's event threads (the event pump and the publish completions thread). */
    static final Logger ENGINE = System.getLogger("io.ballerina.lib.mqtt.engine");
    /** Listener dispatch: failures of handlers that have no caller to return to. */
    static final Logger LISTENER = System.getLogger("io.ballerina.lib.mqtt.listener");

    private Logs() {
    }
}
