package io.ballerina.runtime.api.utils;

import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.standin.StandIn;

/** Stand-in of {@code io.ballerina.runtime.api.utils.TypeUtils}; the methods the adapters use. */
public final class TypeUtils {
    private TypeUtils() {
    }

    public static Type getType(Object value) {
        return StandIn.provider().getType(value);
    }

    /** The referred type of a type reference, else the type itself. */
    public static Type getReferredType(Type type) {
        return StandIn.provider().getReferredType(type);
    }

    /** As {@link #getReferredType}, and the effective type of an intersection. */
    public static Type getImpliedType(Type type) {
        return StandIn.provider().getImpliedType(type);
    }
}
