package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.Caller;
import io.ballerina.lib.mqtt.engine.DeliveryToken;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageHandler;
import io.ballerina.lib.mqtt.engine.MqttException;
import io.ballerina.runtime.api.Runtime;
import io.ballerina.runtime.api.concurrent.StrandMetadata;
import io.ballerina.runtime.api.creators.ValueCreator;
import io.ballerina.runtime.api.types.MethodType;
import io.ballerina.runtime.api.types.ObjectType;
import io.ballerina.runtime.api.types.RemoteMethodType;
import io.ballerina.runtime.api.types.ServiceType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.utils.TypeUtils;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BObject;


/**
 * The host-API {@link MessageHandler} of an attached Ballerina service (L2–L5). It runs on the
 * listener's dispatch thread, one call at a time, and calls the service's remote methods with
 * {@link Runtime#callMethod}, which returns when the method has finished: onMessage gets a
 * {@code Caller} when it declares two parameters; an error returned by onMessage or a panic in it
 * goes to onError (or is logged when there is none); onComplete gets the response's token.
 * Isolated methods of an isolated service are called as concurrent-safe strands.
 */
final class ServiceDispatcher implements MessageHandler {
    static final String CALLER_CLASS = "Caller";
    static final String METHOD_NOT_FOUND = "method onMessage not found";

    private final Runtime runtime;
    private final BObject service;
    private final ObjectType type;
    private final boolean hasOnMessage;
    private final boolean withCaller;
    private final boolean hasOnError;
    private final boolean hasOnComplete;

    /** Errors with no caller to return to (L4): ERROR with the stack. */
    private static final System.Logger LOGGER = System.getLogger("io.ballerina.lib.mqtt.listener");

    ServiceDispatcher(Runtime runtime, BObject service) {
        this.runtime = runtime;
        this.service = service;
        Type t = TypeUtils.getImpliedType(service.getOriginalType());
        this.type = t instanceof ObjectType o ? o : null;
        MethodType onMessage = remote(ServiceChecks.ON_MESSAGE);
        this.hasOnMessage = onMessage != null;
        this.withCaller = onMessage != null && onMessage.getParameters().length == 2;
        this.hasOnError = remote(ServiceChecks.ON_ERROR) != null;
        this.hasOnComplete = remote(ServiceChecks.ON_COMPLETE) != null;
    }

    BObject service() {
        return service;
    }

    private MethodType remote(String name) {
        if (type instanceof ServiceType st) {
            for (RemoteMethodType m : st.getRemoteMethods()) {
                if (m.getName().equals(name)) {
                    return m;
                }
            }
        }
        return null;
    }

    private StrandMetadata metadata(String method) {
        boolean concurrentSafe = type != null && type.isIsolated() && type.isIsolated(method);
        return new StrandMetadata(concurrentSafe, null);
    }

    @Override
    public void onMessage(Message message, Caller caller) {
        if (!hasOnMessage) {
            throw new ServiceFailure(Errors.error(METHOD_NOT_FOUND));
        }
        Object[] args;
        Object record = Values.toBallerina(message);
        if (withCaller) {
            BObject callerObject = ValueCreator.createObjectValue(ModuleUtils.getModule(), CALLER_CLASS);
            callerObject.addNativeData(CallerAdapter.CALLER, caller);
            args = new Object[] {record, callerObject};
        } else {
            args = new Object[] {record};
        }
        Object result;
        try {
            result = runtime.callMethod(service, ServiceChecks.ON_MESSAGE, metadata(ServiceChecks.ON_MESSAGE), args);
        } catch (BError panic) {
            throw new ServiceFailure(Errors.fromService(panic));
        }
        if (result instanceof BError error) {
            throw new ServiceFailure(Errors.fromService(error));
        }
    }

    @Override
    public void onError(MqttException error) {
        BError err = null;
        for (Throwable t = error; t != null && err == null; t = t.getCause()) {
            if (t instanceof ServiceFailure f) {
                err = f.error;
            }
        }
        if (err == null) {
            err = Errors.toError(error);
        }
        if (!hasOnError) {
            report("unhandled error", err);
            return;
        }
        call(ServiceChecks.ON_ERROR, err);
    }

    @Override
    public void onComplete(DeliveryToken token) {
        if (hasOnComplete) {
            call(ServiceChecks.ON_COMPLETE, Values.toBallerina(token));
        }
    }

    /** onError / onComplete: an error they return or raise is logged (L4). */
    private void call(String method, Object arg) {
        try {
            Object result = runtime.callMethod(service, method, metadata(method), arg);
            if (result instanceof BError e) {
                report(method + " returned an error", e);
            }
        } catch (BError e) {
            report(method + " failed", e);
        }
    }

    private void report(String what, BError e) {
        LOGGER.log(System.Logger.Level.ERROR, "mqtt:Listener: " + what + ": " + e.getMessage(), e);
    }

    /** Carries a Ballerina error from onMessage through the host API to {@link #onError}. */
    static final class ServiceFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient BError error;

        ServiceFailure(BError error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }
}
