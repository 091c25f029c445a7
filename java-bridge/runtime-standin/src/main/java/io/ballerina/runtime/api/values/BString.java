package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BString}: not a {@link BValue} in the real API either. */
public interface BString {
    String getValue();
}
