package io.ballerina.runtime.api.creators;

import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.standin.StandIn;

/** Stand-in of {@code io.ballerina.runtime.api.creators.ErrorCreator}: the real signatures. */
public class ErrorCreator {
    private ErrorCreator() {
    }

    public static BError createError(BString message) {
        return StandIn.provider().createError(message);
    }

    public static BError createError(Module module, String errorTypeName, BString message, BError cause,
                                     BMap<BString, Object> details) {
        return StandIn.provider().createError(module, errorTypeName, message, cause, details);
    }
}
