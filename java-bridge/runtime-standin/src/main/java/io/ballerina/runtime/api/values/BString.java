package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BString}. */
public interface BString extends BValue {
    String getValue();
}
