package io.ballerina.runtime.api.creators;

import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.types.ArrayType;
import io.ballerina.runtime.api.types.StreamType;
import io.ballerina.runtime.api.values.BArray;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BStream;
import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.standin.StandIn;

import java.util.Map;

/** Stand-in of {@code io.ballerina.runtime.api.creators.ValueCreator}; the static factories the adapters use. */
public class ValueCreator {
    private ValueCreator() {
    }

    public static BArray createArrayValue(byte[] values) {
        return StandIn.provider().createArrayValue(values);
    }

    public static BArray createArrayValue(Object[] values, ArrayType type) {
        return StandIn.provider().createArrayValue(values, type);
    }

    public static BStream createStreamValue(StreamType type, BObject iteratorObj) {
        return StandIn.provider().createStreamValue(type, iteratorObj);
    }

    public static BMap<BString, Object> createRecordValue(Module packageId, String recordTypeName) {
        return StandIn.provider().createRecordValue(packageId, recordTypeName);
    }

    public static BMap<BString, Object> createRecordValue(Module packageId, String recordTypeName,
                                                          Map<String, Object> valueMap) {
        return StandIn.provider().createRecordValue(packageId, recordTypeName, valueMap);
    }

    public static BObject createObjectValue(Module packageId, String objectTypeName, Object... fieldValues) {
        return StandIn.provider().createObjectValue(packageId, objectTypeName, fieldValues);
    }
}
