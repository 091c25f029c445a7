package io.ballerina.runtime.api.creators;

import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.standin.StandIn;

/** Stand-in of {@code io.ballerina.runtime.api.creators.ErrorCreator}; the static factory the adapters use. */
public class ErrorCreator {
    private ErrorCreator() {
    }

    public static BError createError(Module module, String errorTypeName, BString message, BError cause,
                                     BMap<BString, Object> details) throws BError {
        return StandIn.provider().createError(module, errorTypeName, message, cause, details);
    }
}
