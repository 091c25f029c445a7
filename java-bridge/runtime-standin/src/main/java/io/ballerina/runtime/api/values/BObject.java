package io.ballerina.runtime.api.values;

import io.ballerina.runtime.api.types.Type;

/** Stand-in of {@code io.ballerina.runtime.api.values.BObject}. */
public interface BObject extends BRefValue {
    /** A default method in the real interface too; the test fakes give the type they were made with. */
    default Type getOriginalType() {
        throw new UnsupportedOperationException("runtime stand-in: the object has no type");
    }

    void addNativeData(String key, Object data);

    Object getNativeData(String key);
}
