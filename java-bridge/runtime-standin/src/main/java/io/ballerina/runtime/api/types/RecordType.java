package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.RecordType} (tested with instanceof only). */
public interface RecordType extends Type {
}
