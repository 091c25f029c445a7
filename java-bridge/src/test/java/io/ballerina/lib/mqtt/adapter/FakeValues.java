package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.Environment;
import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.Runtime;
import io.ballerina.runtime.api.concurrent.StrandMetadata;
import io.ballerina.runtime.api.types.StreamType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.values.BArray;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BStream;
import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.api.values.BTypedesc;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Test-side implementations of the stand-in's value interfaces, Environment and Runtime. */
final class FakeValues {
    private FakeValues() {
    }

    interface Typed {
        Type type();
    }

    record Str(String value) implements BString {
        @Override
        public String getValue() {
            return value;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    static final class Rec implements BMap<BString, Object>, Typed {
        final Type type;
        final Map<BString, Object> fields = new LinkedHashMap<>();

        Rec(Type type) {
            this.type = type;
        }

        @Override
        public Object get(Object key) {
            return fields.get(key);
        }

        /** What the runtime's record creation does; the adapters only read records. */
        Object put(BString key, Object value) {
            return fields.put(key, value);
        }

        @Override
        public void populateInitialValue(BString key, Object value) {
            put(key, value);
        }

        @Override
        public boolean containsKey(Object key) {
            return fields.containsKey(key);
        }

        @Override
        public Type type() {
            return type;
        }

        @Override
        public String toString() {
            return type + fields.toString();
        }
    }

    static final class Arr implements BArray, Typed {
        final Object[] values;
        final byte[] bytes;
        final Type type;

        Arr(byte[] bytes) {
            this.bytes = bytes.clone();
            this.values = null;
            this.type = null;
        }

        Arr(Object[] values, Type type) {
            this.values = values.clone();
            this.bytes = null;
            this.type = type;
        }

        @Override
        public Object get(long index) {
            return bytes != null ? (Object) (long) (bytes[(int) index] & 0xff) : values[(int) index];
        }

        @Override
        public byte[] getBytes() {
            if (bytes == null) {
                throw new IllegalStateException("not a byte array");
            }
            return bytes.clone();
        }

        @Override
        public long getLength() {
            return bytes != null ? bytes.length : values.length;
        }

        @Override
        public Type type() {
            return type;
        }

        @Override
        public String toString() {
            return bytes != null ? Arrays.toString(bytes) : Arrays.toString(values);
        }
    }

    /** An object; {@code target} is the Java "service" whose methods {@link Rt} calls by name. */
    static final class Obj implements BObject, Typed {
        final Type type;
        final Object target;
        final Map<String, Object> nativeData = new HashMap<>();

        Obj(Type type, Object target) {
            this.type = type;
            this.target = target;
        }

        @Override
        public Type getOriginalType() {
            return type;
        }

        @Override
        public synchronized void addNativeData(String key, Object data) {
            nativeData.put(key, data);
        }

        @Override
        public synchronized Object getNativeData(String key) {
            return nativeData.get(key);
        }

        @Override
        public Type type() {
            return type;
        }
    }

    record Typedesc(Type describing) implements BTypedesc {
        @Override
        public Type getDescribingType() {
            return describing;
        }
    }

    record Stream(StreamType type, BObject iterator) implements BStream {
    }

    static final class Err extends BError implements Typed {
        private static final long serialVersionUID = 1L;
        final transient Type type;
        final transient BString message;
        final transient BError cause;
        final transient BMap<BString, Object> details;

        Err(Type type, BString message, BError cause, BMap<BString, Object> details) {
            super(message);
            this.type = type;
            this.message = message;
            this.cause = cause;
            this.details = details;
        }

        @Override
        public BString getErrorMessage() {
            return message;
        }

        /** The detail record (the real BError has getDetails(); the adapters never read it). */
        BMap<BString, Object> details() {
            return details;
        }

        @Override
        public BError getCause() {
            return cause;
        }

        @Override
        public Type type() {
            return type;
        }
    }

    /**
     * yieldAndRun runs the supplier on the calling thread, as the real one does (BalEnvironment: the strand
     * yields the runtime's lock for non-isolated code, the supplier runs, the strand takes the lock back).
     * It records the threads it ran on and fails when it is entered again from inside its own supplier:
     * the real inner call would take the lock back early, so the rest of the outer wait would hold it.
     */
    static final class Env extends Environment {
        /** Set on a thread while it runs a yieldAndRun supplier (any Env). */
        private static final ThreadLocal<Boolean> YIELDED = ThreadLocal.withInitial(() -> false);

        final Rt runtime = new Rt();
        final AtomicInteger yields = new AtomicInteger();
        final List<Thread> yieldThreads = new CopyOnWriteArrayList<>();

        @Override
        public <T> T yieldAndRun(Supplier<T> supplier) {
            if (YIELDED.get()) {
                throw new IllegalStateException("yieldAndRun called inside yieldAndRun");
            }
            yields.incrementAndGet();
            yieldThreads.add(Thread.currentThread());
            YIELDED.set(true);
            try {
                return supplier.get();
            } finally {
                YIELDED.set(false);
            }
        }

        static boolean insideYield() {
            return YIELDED.get();
        }

        @Override
        public Runtime getRuntime() {
            return runtime;
        }

        @Override
        public Module getCurrentModule() {
            return FakeTypes.MQTT;
        }
    }

    /**
     * callMethod invokes the Java method of the same name on the object's target (Ballerina values
     * as arguments) and returns its result when it has finished; a BError thrown by it is a panic and
     * propagates, as in the real runtime. It fails when called from inside a yieldAndRun supplier: the
     * real one would then run the service method as part of the yielded strand (its name, metadata and
     * lock state) instead of a strand of its own, so service methods must be called from the
     * listener's dispatch thread only.
     */
    static final class Rt extends Runtime {
        record Call(String method, StrandMetadata metadata, List<Object> args, String thread) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();

        @Override
        public Object callMethod(BObject object, String methodName, StrandMetadata metadata, Object... args) {
            if (Env.insideYield()) {
                throw new IllegalStateException("callMethod(" + methodName + ") called inside yieldAndRun");
            }
            calls.add(new Call(methodName, metadata, List.of(args), Thread.currentThread().getName()));
            Object target = ((Obj) object).target;
            for (java.lang.reflect.Method m : target.getClass().getMethods()) {
                if (m.getName().equals(methodName) && m.getParameterCount() == args.length) {
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof BError b) {
                            throw b;
                        }
                        throw new IllegalStateException(e.getCause());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            throw new IllegalStateException("no method " + methodName + "/" + args.length + " on " + target);
        }
    }
}
