package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.types.ArrayType;
import io.ballerina.runtime.api.types.StreamType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.values.BArray;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BStream;
import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.standin.Provider;
import io.ballerina.runtime.standin.StandIn;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Test support: installs the fake {@link Provider} behind the stand-in's static factories,
 * hands the module to {@link ModuleUtils} as init.bal would, and builds/reads Ballerina values.
 */
final class Bal {
    static final FakeTypes.Rec MESSAGE = new FakeTypes.Rec("Message", FakeTypes.MQTT);
    static final FakeTypes.Obj CALLER = new FakeTypes.Obj("Caller", FakeTypes.MQTT, true);
    static final FakeTypes.Err ERROR = new FakeTypes.Err("Error", FakeTypes.MQTT);
    static final FakeTypes.Err PLAIN_ERROR = new FakeTypes.Err("error", FakeTypes.BUILTIN);
    static final FakeTypes.Rec DELIVERY_TOKEN = new FakeTypes.Rec("DeliveryToken", FakeTypes.MQTT);
    static final FakeTypes.Nil NIL = new FakeTypes.Nil();

    private Bal() {
    }

    /** The provider and the module; idempotent. */
    static FakeValues.Env setUp() {
        StandIn.install(new FakeProvider());
        FakeValues.Env env = new FakeValues.Env();
        ModuleUtils.setModule(env);
        return env;
    }

    static BString str(String s) {
        return new FakeValues.Str(s);
    }

    static BArray bytes(String s) {
        return new FakeValues.Arr(s.getBytes(StandardCharsets.UTF_8));
    }

    static BArray list(Object... items) {
        return new FakeValues.Arr(items, null);
    }

    /** A record of this module: {@code rec("Message", "payload", bytes("x"), "qos", 1L)}. */
    static BMap<BString, Object> rec(String type, Object... keyValues) {
        FakeValues.Rec r = new FakeValues.Rec(new FakeTypes.Rec(type, FakeTypes.MQTT));
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            r.put(str((String) keyValues[i]), v instanceof String s ? str(s) : v);
        }
        return r;
    }

    static BMap<BString, Object> message(String payload, Object... more) {
        Object[] kv = new Object[more.length + 2];
        kv[0] = "payload";
        kv[1] = bytes(payload);
        System.arraycopy(more, 0, kv, 2, more.length);
        return rec("Message", kv);
    }

    static BObject object(String className) {
        return new FakeValues.Obj(new FakeTypes.Obj(className, FakeTypes.MQTT, true), null);
    }

    /** A plain Ballerina {@code error} (not an mqtt:Error), as user code makes with {@code error("...")}. */
    static BError plainError(String message) {
        return new FakeValues.Err(PLAIN_ERROR, str(message), null, null);
    }

    static Object field(Object record, String name) {
        return ((BMap<?, ?>) record).get(str(name));
    }

    static String text(Object record, String name) {
        Object v = field(record, name);
        return v == null ? null : ((BString) v).getValue();
    }

    static String payload(Object message) {
        return new String(((BArray) field(message, "payload")).getBytes(), StandardCharsets.UTF_8);
    }

    /** Asserts an {@code mqtt:Error} with this message and reason code (null = none). */
    static BError assertError(Object result, String message, Integer reasonCode) {
        BError e = assertInstanceOf(BError.class, result, () -> "expected an mqtt:Error, got " + result);
        assertEquals(message, e.getErrorMessage().getValue());
        assertEquals(ERROR.getName(), ((FakeValues.Typed) e).type().getName());
        assertEquals(reasonCode == null ? null : (long) reasonCode, reasonCode(e));
        return e;
    }

    static Long reasonCode(BError e) {
        return (Long) ((FakeValues.Err) e).details().get(str("reasonCode"));
    }

    static String errorMessage(Object result) {
        return assertInstanceOf(BError.class, result, () -> "expected an error, got " + result)
                .getErrorMessage().getValue();
    }

    /** The fake implementation of the stand-in's factories. */
    static final class FakeProvider implements Provider {
        @Override
        public BString fromString(String s) {
            return str(s);
        }

        @Override
        public BMap<BString, Object> createRecordValue(Module module, String recordTypeName) {
            return new FakeValues.Rec(new FakeTypes.Rec(recordTypeName, module));
        }

        @Override
        public BMap<BString, Object> createRecordValue(Module module, String recordTypeName, Map<String, Object> values) {
            BMap<BString, Object> r = createRecordValue(module, recordTypeName);
            values.forEach((k, v) -> r.populateInitialValue(str(k), v));
            return r;
        }

        @Override
        public BObject createObjectValue(Module module, String objectTypeName, Object... fieldValues) {
            return new FakeValues.Obj(new FakeTypes.Obj(objectTypeName, module, true), null);
        }

        @Override
        public BArray createArrayValue(byte[] values) {
            return new FakeValues.Arr(values);
        }

        @Override
        public BArray createArrayValue(Object[] values, ArrayType type) {
            return new FakeValues.Arr(values, type);
        }

        @Override
        public BStream createStreamValue(StreamType type, BObject iteratorObj) {
            return new FakeValues.Stream(type, iteratorObj);
        }

        @Override
        public BError createError(Module module, String errorTypeName, BString message, BError cause,
                                  BMap<BString, Object> details) {
            return new FakeValues.Err(new FakeTypes.Err(errorTypeName, module), message, cause, details);
        }

        @Override
        public ArrayType createArrayType(Type elementType) {
            return new FakeTypes.Arr(elementType);
        }

        @Override
        public Type getType(Object value) {
            return value instanceof FakeValues.Typed t ? t.type() : null;
        }

        @Override
        public Type getReferredType(Type type) {
            return type instanceof FakeTypes.Ref r ? getReferredType(r.referred) : type;
        }

        @Override
        public Type getImpliedType(Type type) {
            return getReferredType(type);
        }
    }
}
