package io.ballerina.runtime.api.values;

/** Stand-in of {@code io.ballerina.runtime.api.values.BError}: an unchecked exception and a Ballerina value. */
public abstract class BError extends RuntimeException implements BValue {
    private static final long serialVersionUID = 1L;

    public BError(BString message) {
        super(message == null ? null : message.getValue());
    }

    public abstract BString getErrorMessage();
}
