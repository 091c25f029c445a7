package io.ballerina.runtime.api.types;

import java.util.List;

/** Stand-in of {@code io.ballerina.runtime.api.types.UnionType}. */
public interface UnionType extends Type {
    List<Type> getMemberTypes();
}
