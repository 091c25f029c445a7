package io.ballerina.runtime.api.types;

/** Stand-in of {@code io.ballerina.runtime.api.types.Parameter}: the same public fields and constructor. */
public class Parameter {
    public final String name;
    public final boolean isDefault;
    public final String defaultFunctionName;
    public Type type;

    public Parameter(String name, boolean isDefault, String defaultFunctionName, Type type) {
        this.name = name;
        this.isDefault = isDefault;
        this.defaultFunctionName = defaultFunctionName;
        this.type = type;
    }
}
