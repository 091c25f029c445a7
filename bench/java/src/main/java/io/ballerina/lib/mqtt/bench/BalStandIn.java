package io.ballerina.lib.mqtt.bench;

import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.Runtime;
import io.ballerina.runtime.api.concurrent.StrandMetadata;
import io.ballerina.runtime.api.types.ArrayType;
import io.ballerina.runtime.api.types.ErrorType;
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

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The smallest Ballerina runtime the adapter-path case needs, behind the runtime stand-in
 * (java-bridge/runtime-standin, compiled into this jar): string, record, byte array, object and
 * error values, an {@link Environment} whose {@code yieldAndRun} runs the supplier on the calling
 * thread (as the 2201.11 runtime's does for a strand's interop call) and a {@link Provider} behind
 * the static factories. Values cost what the real ones cost where the adapter touches them: a
 * {@code BString} key per field lookup, a hash map per record, a copy in {@code BArray.getBytes}.
 */
final class BalStandIn {
    static final Module MQTT = new Module("ballerina", "mqtt", "1");

    private BalStandIn() {
    }

    /** Installs the provider; the module is handed to the adapters by {@code ModuleUtils.setModule}. */
    static Env install() {
        StandIn.install(new Factories());
        return new Env();
    }

    record Str(String value) implements BString {
        @Override
        public String getValue() {
            return value;
        }
    }

    record NamedType(String name, Module pkg) implements Type {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Module getPackage() {
            return pkg;
        }
    }

    record NamedErrorType(String name, Module pkg) implements ErrorType {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Module getPackage() {
            return pkg;
        }
    }

    /** A record value (the runtime's MapValueImpl is a hash map keyed by BString as well). */
    static final class Rec implements BMap<BString, Object> {
        final Type type;
        final Map<BString, Object> fields = new HashMap<>();

        Rec(Type type) {
            this.type = type;
        }

        Rec with(String field, Object value) {
            fields.put(new Str(field), value);
            return this;
        }

        @Override
        public Object get(Object key) {
            return fields.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return fields.containsKey(key);
        }

        @Override
        public void populateInitialValue(BString key, Object value) {
            fields.put(key, value);
        }
    }

    /** A {@code byte[]} value: holds its array, and hands out a copy as the runtime's does. */
    static final class Bytes implements BArray {
        final byte[] bytes;

        Bytes(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public Object get(long index) {
            return (long) (bytes[(int) index] & 0xff);
        }

        @Override
        public byte[] getBytes() {
            return bytes.clone();
        }

        @Override
        public long getLength() {
            return bytes.length;
        }
    }

    /** An object value with native data (the adapters keep the MqttClient there). */
    static final class Obj implements BObject {
        final Map<String, Object> nativeData = new HashMap<>();

        @Override
        public void addNativeData(String key, Object data) {
            nativeData.put(key, data);
        }

        @Override
        public Object getNativeData(String key) {
            return nativeData.get(key);
        }
    }

    static final class Err extends BError {
        private static final long serialVersionUID = 1L;
        final transient Type type;
        final transient BString message;

        Err(Type type, BString message, BError cause) {
            super(message);
            this.type = type;
            this.message = message;
            if (cause != null) {
                initCause(cause);
            }
        }

        @Override
        public BString getErrorMessage() {
            return message;
        }
    }

    /** yieldAndRun: the supplier runs on the calling thread (the strand's), nothing else. */
    static final class Env extends Environment {
        private final Runtime runtime = new Runtime() {
            @Override
            public Object callMethod(BObject object, String methodName, StrandMetadata metadata, Object... args) {
                throw new UnsupportedOperationException("the bench calls no Ballerina methods");
            }
        };

        @Override
        public <T> T yieldAndRun(Supplier<T> supplier) {
            return supplier.get();
        }

        @Override
        public Runtime getRuntime() {
            return runtime;
        }

        @Override
        public Module getCurrentModule() {
            return MQTT;
        }
    }

    /** Behind ValueCreator, ErrorCreator, StringUtils and TypeUtils; what publish does not need throws. */
    static final class Factories implements Provider {
        @Override
        public BString fromString(String s) {
            return new Str(s);
        }

        @Override
        public BMap<BString, Object> createRecordValue(Module module, String recordTypeName) {
            return new Rec(new NamedType(recordTypeName, module));
        }

        /** As the runtime's: a new field name string per entry. */
        @Override
        public BMap<BString, Object> createRecordValue(Module module, String recordTypeName, Map<String, Object> values) {
            BMap<BString, Object> r = createRecordValue(module, recordTypeName);
            values.forEach((k, v) -> r.populateInitialValue(fromString(k), v));
            return r;
        }

        @Override
        public BObject createObjectValue(Module module, String objectTypeName, Object... fieldValues) {
            return new Obj();
        }

        @Override
        public BArray createArrayValue(byte[] values) {
            return new Bytes(values.clone());
        }

        @Override
        public BArray createArrayValue(Object[] values, ArrayType type) {
            throw new UnsupportedOperationException("createArrayValue(Object[])");
        }

        @Override
        public BStream createStreamValue(StreamType type, BObject iteratorObj) {
            throw new UnsupportedOperationException("createStreamValue");
        }

        @Override
        public BError createError(Module module, String errorTypeName, BString message, BError cause,
                                  BMap<BString, Object> details) {
            return new Err(new NamedErrorType(errorTypeName, module), message, cause);
        }

        @Override
        public ArrayType createArrayType(Type elementType) {
            throw new UnsupportedOperationException("createArrayType");
        }

        @Override
        public Type getType(Object value) {
            if (value instanceof Err e) {
                return e.type;
            }
            if (value instanceof Rec r) {
                return r.type;
            }
            throw new UnsupportedOperationException("getType of " + value);
        }

        @Override
        public Type getReferredType(Type type) {
            return type;
        }

        @Override
        public Type getImpliedType(Type type) {
            return type;
        }
    }
}
