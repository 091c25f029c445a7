package io.ballerina.lib.mqtt.engine.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * The test JVM's {@link System.LoggerFinder} (registered by META-INF/services in the test resources): keeps
 * every record of the host API's loggers under {@code io.ballerina.lib.mqtt} at every level, and of the
 * engine's ({@code io.ballerina.lib.mqtt.native}) at INFO and above: the engine asks at load for the most
 * detailed level this finder prints, and DEBUG would make it log every publish of the whole test run.
 * Prints INFO and above of every logger to stderr, as the JDK's default does.
 */
public final class CapturingLoggerFinder extends System.LoggerFinder {
    /** One log call. {@code text} is the message with the throwable's string and stack, for secret checks. */
    public record Entry(String logger, System.Logger.Level level, String message, Throwable thrown, String text) {
    }

    private static final Queue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();

    /** Whether this finder is the JVM's (it is unless the service file was not found). */
    public static boolean installed() {
        return System.LoggerFinder.getLoggerFinder() instanceof CapturingLoggerFinder;
    }

    /** The entries kept so far that match. */
    public static List<Entry> entries(Predicate<Entry> filter) {
        return ENTRIES.stream().filter(filter).toList();
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Capturing(name);
    }

    private static final class Capturing implements System.Logger {
        private final String name;
        private final boolean ours;
        private final Level threshold;

        Capturing(String name) {
            this.name = name;
            this.ours = name.startsWith("io.ballerina.lib.mqtt");
            this.threshold = ours && !name.startsWith("io.ballerina.lib.mqtt.native") ? Level.ALL : Level.INFO;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            record(level, message, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            record(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params), null);
        }

        private void record(Level level, String message, Throwable thrown) {
            if (!isLoggable(level)) {
                return;
            }
            StringWriter text = new StringWriter().append(String.valueOf(message));
            if (thrown != null) {
                text.append('\n');
                thrown.printStackTrace(new PrintWriter(text));
            }
            if (ours) {
                ENTRIES.add(new Entry(name, level, String.valueOf(message), thrown, text.toString()));
            }
            if (level.getSeverity() >= Level.INFO.getSeverity()) {
                System.err.println("[" + level + "] " + name + ": " + text);
            }
        }
    }
}
