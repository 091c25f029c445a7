package io.ballerina.runtime.api.values;

import io.ballerina.runtime.api.types.Type;

/** Stand-in of {@code io.ballerina.runtime.api.values.BTypedesc}. */
public interface BTypedesc extends BValue {
    Type getDescribingType();
}
