package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BArray}. */
public interface BArray extends BRefValue, BCollection {
    Object get(long index);

    /** A copy of a byte array's content. */
    byte[] getBytes();

    long getLength();
}
