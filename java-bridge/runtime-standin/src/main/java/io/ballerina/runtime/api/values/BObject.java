package io.ballerina.runtime.api.values;

import io.ballerina.runtime.api.types.Type;

/**
 * Stand-in of {@code io.ballerina.runtime.api.values.BObject}. ({@code getOriginalType} is a default
 * method of the real interface; {@code getType()} is deprecated there and not used.)
 */
public interface BObject extends BValue {
    Type getOriginalType();

    void addNativeData(String key, Object data);

    Object getNativeData(String key);
}
