package io.ballerina.runtime.api.creators;

import io.ballerina.runtime.api.types.ArrayType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.standin.StandIn;

/** Stand-in of {@code io.ballerina.runtime.api.creators.TypeCreator}; the static factory the adapters use. */
public class TypeCreator {
    private TypeCreator() {
    }

    public static ArrayType createArrayType(Type elementType) {
        return StandIn.provider().createArrayType(elementType);
    }
}
