package io.ballerina.lib.mqtt.engine;

import java.time.Duration;

/** Checks and conversions of the {@link Duration} arguments of the host API (all invalid ones are 32120). */
final class Timeouts {
    private Timeouts() {
    }

    /** A timeout argument: not null, not negative ({@link Duration#ZERO} = no limit). */
    static Duration check(Duration timeout, String what) {
        if (timeout == null) {
            throw MqttException.invalidArgument(what + " must not be null");
        }
        return checkOptional(timeout, what);
    }

    /** An optional duration: null allowed, negative not. */
    static Duration checkOptional(Duration value, String what) {
        if (value != null && value.isNegative()) {
            throw MqttException.invalidArgument(what + " must not be negative: " + value);
        }
        return value;
    }

    /** Whole seconds, a fraction rounded up (so 500 ms is 1 s, never 0 = "disabled"/"no limit"). */
    static long secondsRoundedUp(Duration value, String what) {
        check(value, what);
        long seconds = value.getSeconds();
        return value.getNano() > 0 ? seconds + 1 : seconds;
    }

    /** Whole milliseconds, a fraction rounded up; saturates at Long.MAX_VALUE. */
    static long millisRoundedUp(Duration value, String what) {
        check(value, what);
        try {
            long millis = value.toMillis();
            return value.minusMillis(millis).isZero() ? millis : millis + 1;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Seconds as an int for the fields that the contract types as int (keepAliveInterval, connectionTimeout). */
    static int intSeconds(Duration value, String what) {
        long seconds = secondsRoundedUp(value, what);
        if (seconds > Integer.MAX_VALUE) {
            throw MqttException.invalidArgument(what + " is too large: " + value);
        }
        return (int) seconds;
    }
}
