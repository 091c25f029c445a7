package io.ballerina.runtime.api.utils;

import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.standin.StandIn;

/** Stand-in of {@code io.ballerina.runtime.api.utils.TypeUtils}. */
public final class TypeUtils {
    private TypeUtils() {
    }

    public static Type getType(Object value) {
        return StandIn.provider().getType(value);
    }

    public static Type getReferredType(Type type) {
        return StandIn.provider().getReferredType(type);
    }

    public static Type getImpliedType(Type type) {
        return StandIn.provider().getImpliedType(type);
    }
}
