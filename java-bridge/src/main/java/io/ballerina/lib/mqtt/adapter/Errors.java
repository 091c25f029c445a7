package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.creators.ErrorCreator;
import io.ballerina.runtime.api.creators.ValueCreator;
import io.ballerina.runtime.api.types.ErrorType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.utils.StringUtils;
import io.ballerina.runtime.api.utils.TypeUtils;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BString;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The one place where failures become {@code mqtt:Error} values (contract E1, E2): a host-API
 * {@link MqttException} keeps its message and reason code; anything else (a bad argument, a missing
 * native library) becomes an Error with a plain message. Adapters never throw.
 */
final class Errors {
    static final String ERROR_TYPE = "Error";
    static final String DETAILS_TYPE = "ErrorDetails";
    static final String REASON_CODE = "reasonCode";

    private Errors() {
    }

    /** An {@code mqtt:Error} without a reason code. */
    static BError error(String message) {
        return error(message, OptionalInt.empty(), null);
    }

    /** An {@code mqtt:Error} with {@code details.reasonCode}. */
    static BError error(String message, int reasonCode) {
        return error(message, OptionalInt.of(reasonCode), null);
    }

    static BError error(String message, OptionalInt reasonCode, BError cause) {
        Module module = ModuleUtils.getModule();
        Map<String, Object> details = new HashMap<>();
        reasonCode.ifPresent(code -> details.put(REASON_CODE, (long) code));
        BMap<BString, Object> detailRecord = ValueCreator.createRecordValue(module, DETAILS_TYPE, details);
        return ErrorCreator.createError(module, ERROR_TYPE, StringUtils.fromString(message), cause, detailRecord);
    }

    /** Converts any failure of an adapter's work into an {@code mqtt:Error}. */
    static BError toError(Throwable t) {
        if (t instanceof MqttException e) {
            return error(e.getMessage(), e.reasonCode(), null);
        }
        if (t instanceof BError b) {
            return isModuleError(b) ? b : error(messageOf(b), OptionalInt.empty(), b);
        }
        if (t instanceof UnsatisfiedLinkError || t instanceof ExceptionInInitializerError
                || t instanceof NoClassDefFoundError) {
            return error("The MQTT engine could not be loaded: " + messageOf(t));
        }
        return error(messageOf(t));
    }

    /** An error returned or raised by a service method, as the {@code mqtt:Error} that onError takes (L4). */
    static BError fromService(BError e) {
        return isModuleError(e) ? e : error(messageOf(e), OptionalInt.empty(), e);
    }

    static boolean isModuleError(BError e) {
        Type type = TypeUtils.getImpliedType(TypeUtils.getType(e));
        Module own = ModuleUtils.getModule();
        return type instanceof ErrorType && ERROR_TYPE.equals(type.getName()) && type.getPackage() != null
                && own.getOrg().equals(type.getPackage().getOrg()) && own.getName().equals(type.getPackage().getName());
    }

    private static String messageOf(Throwable t) {
        if (t instanceof BError b && b.getErrorMessage() != null) {
            return b.getErrorMessage().getValue();
        }
        String m = t.getMessage();
        return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
    }

    /** Runs {@code work} and converts its result; any failure becomes an {@code mqtt:Error}. */
    static Object call(Callable<?> work, Function<Object, Object> toBallerina) {
        Object r;
        try {
            r = work.call();
        } catch (Exception | LinkageError | StackOverflowError e) {
            return toError(e);
        }
        try {
            return toBallerina.apply(r);
        } catch (RuntimeException | LinkageError e) {
            return toError(e);
        }
    }

    /**
     * Runs blocking {@code work} inside {@code env.yieldAndRun} (the strand yields; the wait happens in
     * Java, never inside native code), then converts its result outside it.
     */
    static Object blocking(Environment env, Callable<?> work, Function<Object, Object> toBallerina) {
        Object r;
        try {
            r = env.yieldAndRun(() -> {
                try {
                    return work.call();
                } catch (Exception | LinkageError | StackOverflowError e) {
                    return new Failure(e);
                }
            });
        } catch (RuntimeException | LinkageError e) {
            r = new Failure(e);
        }
        if (r instanceof Failure f) {
            return toError(f.cause());
        }
        try {
            return toBallerina.apply(r);
        } catch (RuntimeException | LinkageError e) {
            return toError(e);
        }
    }

    /** Nothing to convert: {@code ()}. */
    static Object nil(Object ignored) {
        return null;
    }

    private record Failure(Throwable cause) {
    }
}
