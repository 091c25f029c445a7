package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.types.ErrorType;
import io.ballerina.runtime.api.types.MethodType;
import io.ballerina.runtime.api.types.NullType;
import io.ballerina.runtime.api.types.ObjectType;
import io.ballerina.runtime.api.types.Parameter;
import io.ballerina.runtime.api.types.RemoteMethodType;
import io.ballerina.runtime.api.types.ServiceType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.types.UnionType;
import io.ballerina.runtime.api.utils.TypeUtils;
import io.ballerina.runtime.api.values.BObject;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The checks that the released module's compiler plugin makes on an {@code mqtt:Service}
 * (diagnostics MQTT_101 … MQTT_117, same wording), made here at {@code attach} because this package
 * has no compiler plugin. The first problem found is returned as the message of an {@code mqtt:Error}.
 */
final class ServiceChecks {
    static final String ON_MESSAGE = "onMessage";
    static final String ON_ERROR = "onError";
    static final String ON_COMPLETE = "onComplete";
    private static final Set<String> KNOWN = Set.of(ON_MESSAGE, ON_ERROR, ON_COMPLETE);

    static final String NO_ON_MESSAGE = "Service must have remote method onMessage.";
    static final String INVALID_REMOTE_FUNCTION = "Invalid remote method.";
    static final String FUNCTION_SHOULD_BE_REMOTE = "Method must have the remote qualifier.";
    static final String MUST_HAVE_CALLER_AND_MESSAGE =
            "Must have the required parameter mqtt:Message and optional parameter mqtt:Caller.";
    static final String INVALID_MESSAGE_PARAMETER = "Invalid method parameter. Only mqtt:Message is allowed.";
    static final String INVALID_CALLER_PARAMETER = "Invalid method parameter. Only mqtt:Caller is allowed";
    static final String INVALID_PARAM_COUNT =
            "Invalid method parameter count. Only mqtt:Caller and mqtt:Message are allowed.";
    static final String INVALID_RETURN_TYPE = "Invalid return type. Only error? or mqtt:Error? is allowed.";
    static final String MUST_HAVE_ERROR = "Must have the required parameter mqtt:Error";
    static final String INVALID_ERROR_PARAM_COUNT = "Invalid method parameter count. Only mqtt:Error is allowed.";
    static final String ONLY_ERROR_ALLOWED = "Invalid method parameter. Only mqtt:Error or error is allowed";
    static final String ONLY_DELIVERY_TOKEN_ALLOWED = "Invalid method parameter. Only mqtt:DeliveryToken is allowed";
    static final String INVALID_DELIVERY_TOKEN_PARAM_COUNT =
            "Invalid method parameter count. Only mqtt:DeliveryToken is allowed";
    static final String MUST_HAVE_DELIVERY_TOKEN = "Must have the required parameter mqtt:DeliveryToken";

    private ServiceChecks() {
    }

    /** The problem with {@code service}, as an error message, or null when it is a valid mqtt:Service. */
    static String check(BObject service) {
        if (service == null) {
            return "Invalid mqtt:Service: the service is missing";
        }
        Type type = TypeUtils.getImpliedType(service.getOriginalType());
        if (!(type instanceof ObjectType objectType)) {
            return "Invalid mqtt:Service: not a service object";
        }
        Map<String, RemoteMethodType> remote = new HashMap<>();
        if (type instanceof ServiceType serviceType) {
            for (RemoteMethodType m : serviceType.getRemoteMethods()) {
                if (!KNOWN.contains(m.getName())) {
                    return problem(INVALID_REMOTE_FUNCTION, m.getName(), "MQTT_102");
                }
                remote.put(m.getName(), m);
            }
        }
        for (MethodType m : objectType.getMethods()) {
            if (KNOWN.contains(m.getName()) && !remote.containsKey(m.getName())) {
                return problem(FUNCTION_SHOULD_BE_REMOTE, m.getName(), "MQTT_104");
            }
        }
        RemoteMethodType onMessage = remote.get(ON_MESSAGE);
        if (onMessage == null) {
            return "Invalid mqtt:Service: " + NO_ON_MESSAGE + " (method onMessage not found) [MQTT_101]";
        }
        String p = checkOnMessage(onMessage);
        if (p == null && remote.containsKey(ON_ERROR)) {
            p = checkOnError(remote.get(ON_ERROR));
        }
        if (p == null && remote.containsKey(ON_COMPLETE)) {
            p = checkOnComplete(remote.get(ON_COMPLETE));
        }
        return p;
    }

    private static String checkOnMessage(MethodType m) {
        Parameter[] params = m.getParameters();
        if (params.length > 2) {
            return problem(INVALID_PARAM_COUNT, ON_MESSAGE, "MQTT_108");
        }
        if (params.length < 1) {
            return problem(MUST_HAVE_CALLER_AND_MESSAGE, ON_MESSAGE, "MQTT_105");
        }
        if (!isModuleType(params[0].type, Values.MESSAGE)) {
            return problem(INVALID_MESSAGE_PARAMETER, ON_MESSAGE, "MQTT_106");
        }
        if (params.length == 2 && !isModuleType(params[1].type, "Caller")) {
            return problem(INVALID_CALLER_PARAMETER, ON_MESSAGE, "MQTT_107");
        }
        return checkReturn(m, ON_MESSAGE);
    }

    private static String checkOnError(MethodType m) {
        Parameter[] params = m.getParameters();
        if (params.length > 1) {
            return problem(INVALID_ERROR_PARAM_COUNT, ON_ERROR, "MQTT_112");
        }
        if (params.length < 1) {
            return problem(MUST_HAVE_ERROR, ON_ERROR, "MQTT_111");
        }
        Type t = params[0].type;
        boolean plainError = TypeUtils.getImpliedType(t) instanceof ErrorType et && "error".equals(et.getName());
        if (!plainError && !isModuleType(t, Errors.ERROR_TYPE)) {
            return problem(ONLY_ERROR_ALLOWED, ON_ERROR, "MQTT_113");
        }
        return checkReturn(m, ON_ERROR);
    }

    private static String checkOnComplete(MethodType m) {
        Parameter[] params = m.getParameters();
        if (params.length > 1) {
            return problem(INVALID_DELIVERY_TOKEN_PARAM_COUNT, ON_COMPLETE, "MQTT_116");
        }
        if (params.length < 1) {
            return problem(MUST_HAVE_DELIVERY_TOKEN, ON_COMPLETE, "MQTT_117");
        }
        if (!isModuleType(params[0].type, Values.DELIVERY_TOKEN)) {
            return problem(ONLY_DELIVERY_TOKEN_ALLOWED, ON_COMPLETE, "MQTT_115");
        }
        return checkReturn(m, ON_COMPLETE);
    }

    /** Nothing, {@code error?} or {@code mqtt:Error?} (MQTT_109). */
    private static String checkReturn(MethodType m, String name) {
        Type r = m.getReturnType();
        if (r == null || isErrorOrNil(r)) {
            return null;
        }
        Type implied = TypeUtils.getImpliedType(r);
        if (implied instanceof UnionType union) {
            for (Type member : union.getMemberTypes()) {
                if (!isErrorOrNil(member)) {
                    return problem(INVALID_RETURN_TYPE, name, "MQTT_109");
                }
            }
            return null;
        }
        return problem(INVALID_RETURN_TYPE, name, "MQTT_109");
    }

    private static boolean isErrorOrNil(Type t) {
        Type implied = TypeUtils.getImpliedType(t);
        return implied instanceof NullType || implied instanceof ErrorType;
    }

    /** The named type of this module, seen through type references and {@code readonly &} intersections. */
    static boolean isModuleType(Type t, String name) {
        if (t == null) {
            return false;
        }
        for (Type candidate : new Type[] {t, TypeUtils.getReferredType(t), TypeUtils.getImpliedType(t)}) {
            if (name.equals(candidate.getName()) && isOwnModule(candidate.getPackage())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOwnModule(Module m) {
        Module own = ModuleUtils.getModule();
        return m != null && own.getOrg().equals(m.getOrg()) && own.getName().equals(m.getName());
    }

    private static String problem(String rule, String method, String code) {
        return "Invalid mqtt:Service: remote function " + method + ": " + rule + " [" + code + "]";
    }
}
