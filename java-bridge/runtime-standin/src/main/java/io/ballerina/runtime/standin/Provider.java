package io.ballerina.runtime.standin;

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

import java.util.Map;

/** What the stand-in's static factories delegate to; tests install an implementation. */
public interface Provider {
    BString fromString(String s);

    /** A record of the type with no field set (fields follow by {@code populateInitialValue}). */
    BMap<BString, Object> createRecordValue(Module module, String recordTypeName);

    BMap<BString, Object> createRecordValue(Module module, String recordTypeName, Map<String, Object> values);

    BObject createObjectValue(Module module, String objectTypeName, Object... fieldValues);

    BArray createArrayValue(byte[] values);

    BArray createArrayValue(Object[] values, ArrayType type);

    BStream createStreamValue(StreamType type, BObject iteratorObj);

    BError createError(Module module, String errorTypeName, BString message, BError cause,
                       BMap<BString, Object> details);

    ArrayType createArrayType(Type elementType);

    Type getType(Object value);

    /** The referred type of a type reference, else the type itself. */
    Type getReferredType(Type type);

    /** As {@link #getReferredType}, and the effective type of an intersection. */
    Type getImpliedType(Type type);
}
